"""The web door assembled: every area's router on top of the domains' services."""

from __future__ import annotations

from fastapi import APIRouter

from sprocket.config import Settings
from sprocket.http.sessions import SessionCookies
from sprocket.runtime import Runtime
from sprocket.web.analytics import analytics_router
from sprocket.web.auth import auth_router
from sprocket.web.avatars import avatars_router
from sprocket.web.dashboard import dashboard_router
from sprocket.web.home import home_router
from sprocket.web.inbox import inbox_router
from sprocket.web.leaderboards import leaderboards_router
from sprocket.web.league import league_router
from sprocket.web.linking import linking_router
from sprocket.web.players import players_router
from sprocket.web.queue import queue_router
from sprocket.web.report_cards import report_cards_router
from sprocket.web.scrims import scrims_router
from sprocket.web.settings import settings_router
from sprocket.web.staff import staff_router
from sprocket.web.staff_config import configuration_router
from sprocket.web.staff_league import structure_router
from sprocket.web.staff_matches import matches_router
from sprocket.web.staff_notifications import staff_notifications_router
from sprocket.web.staff_people import staff_people_router
from sprocket.web.staff_rosters import rosters_router
from sprocket.web.staff_schedules import schedules_router
from sprocket.web.staff_scrims import staff_scrims_router
from sprocket.web.staff_submissions import staff_submissions_router
from sprocket.web.submission import submission_router
from sprocket.web.submit import submit_router
from sprocket.web.teams import teams_router


def area_routers(runtime: Runtime, settings: Settings, cookies: SessionCookies) -> list[APIRouter]:
    """Each area's router (its pages' routes), in the order the web door tries them."""
    return [
        home_router(runtime),
        league_router(runtime),
        report_cards_router(runtime),
        auth_router(runtime, settings, cookies),
        leaderboards_router(runtime),
        scrims_router(runtime),
        queue_router(runtime),
        teams_router(runtime),
        players_router(runtime),
        staff_router(runtime),
        settings_router(runtime, settings),
        inbox_router(runtime),
        linking_router(runtime, settings),
        avatars_router(runtime),
        analytics_router(runtime),
        staff_submissions_router(runtime),
        staff_scrims_router(runtime),
        staff_people_router(runtime),
        dashboard_router(runtime),
        submit_router(runtime),
        submission_router(runtime),
        configuration_router(runtime),
        structure_router(runtime),
        rosters_router(runtime),
        schedules_router(runtime),
        matches_router(runtime),
        staff_notifications_router(runtime),
    ]


def web_router(runtime: Runtime, settings: Settings, cookies: SessionCookies) -> APIRouter:
    """Every page of the web door; ``cookies`` writes the session cookie a sign-in gives."""
    router = APIRouter(include_in_schema=False)
    for area in area_routers(runtime, settings, cookies):
        router.include_router(area)
    return router
