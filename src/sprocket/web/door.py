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


def web_router(runtime: Runtime, settings: Settings, cookies: SessionCookies) -> APIRouter:
    """Every page of the web door; ``cookies`` writes the session cookie a sign-in gives."""
    router = APIRouter(include_in_schema=False)
    router.include_router(home_router(runtime))
    router.include_router(league_router(runtime))
    router.include_router(report_cards_router(runtime))
    router.include_router(auth_router(runtime, settings, cookies))
    router.include_router(leaderboards_router(runtime))
    router.include_router(scrims_router(runtime))
    router.include_router(queue_router(runtime))
    router.include_router(teams_router(runtime))
    router.include_router(players_router(runtime))
    router.include_router(staff_router(runtime))
    router.include_router(settings_router(runtime, settings))
    router.include_router(inbox_router(runtime))
    router.include_router(linking_router(runtime, settings))
    router.include_router(avatars_router(runtime))
    router.include_router(analytics_router(runtime))
    router.include_router(staff_submissions_router(runtime))
    router.include_router(staff_scrims_router(runtime))
    router.include_router(staff_people_router(runtime))
    router.include_router(dashboard_router(runtime))
    router.include_router(submit_router(runtime))
    router.include_router(submission_router(runtime))
    router.include_router(configuration_router(runtime))
    router.include_router(structure_router(runtime))
    router.include_router(rosters_router(runtime))
    router.include_router(schedules_router(runtime))
    router.include_router(matches_router(runtime))
    router.include_router(staff_notifications_router(runtime))
    return router
