"""``/staff/{slug}/configuration``: the organization's settings, each with its current
value, its default and its meaning, as one form (every changed value is set through
``set_organization_setting``, all or nothing), its time zone (``set_organization_time_zone``),
and its Discord role sync (:mod:`sprocket.league.discord_roles`: the roles each linked
server syncs, and franchise tags in nicknames). Organization admins change them; the rest of
the staff see them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import CommonCode, DomainError, InvalidInput
from sprocket.identity.access import Actor
from sprocket.league import discord_roles
from sprocket.league import service as league
from sprocket.league.configuration import KEYS, SettingKey
from sprocket.league.enums import DiscordRoleKind
from sprocket.league.errors import LeagueCode
from sprocket.runtime import Runtime
from sprocket.text import plural
from sprocket.web.forms import beside
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.staff_forms import (
    Form,
    attempt,
    organization_in_path,
    staff_organization,
    text,
    whole,
)

_WHOLE = re.compile(r"-?[0-9]{1,12}")


@dataclass(frozen=True)
class SettingRow:
    """One setting as the form shows it: its declaration, its value now (and as the field's
    text), how it is entered (``kind``: yes/no, one of its choices, a list, a colour, a
    number), the choices of a select, and the sentence under the field (its meaning, default,
    range)."""

    spec: SettingKey
    value: Any
    shown: str
    kind: str
    options: list[tuple[str, str]]
    hint: str

    @property
    def label(self) -> str:
        return self.spec.key.replace("_", " ").capitalize()


def setting_row(spec: SettingKey, value: Any) -> SettingRow:
    """The form's row of the setting ``spec`` whose value is now ``value``."""
    default = as_text(spec, spec.default)
    if spec.type is bool:
        default = "yes" if spec.default else "no"
    words = [spec.description, f"Default: {default}."]
    if value != spec.default:
        words.append("Changed from the default.")
    options: list[tuple[str, str]] = []
    if spec.type is bool:
        kind, options = "choice", [("true", "Yes"), ("false", "No")]
    elif spec.type is list:
        kind = "list"
        words.append(f"Names in order, separated by commas, from: {', '.join(spec.choices or ())}.")
    elif spec.choices:
        kind, options = "choice", [(c, c) for c in spec.choices]
    elif spec.pattern is not None:
        kind = "colour"
        form = spec.pattern[1]
        words.append(f"{form[0].upper()}{form[1:]}.")
    else:
        kind = "number"
        if spec.minimum is not None and spec.maximum is not None:
            words.append(f"From {spec.minimum} to {spec.maximum}.")
    return SettingRow(spec, value, as_text(spec, value), kind, options, " ".join(words))


def as_text(spec: SettingKey, value: Any) -> str:
    """A setting's value as its form field holds it (a list: its names, comma-separated)."""
    if spec.type is bool:
        return "true" if value else "false"
    if spec.type is list:
        return ", ".join(value)
    return str(value)


def from_text(spec: SettingKey, raw: str) -> Any:
    """The value a form field's text stands for, typed as the setting wants it where it
    reads as such; anything else is passed on as it was written, so that the setting's own
    check refuses it with its sentence (INVALID_SETTING)."""
    if spec.type is bool and raw in ("true", "false"):
        return raw == "true"
    if spec.type is int and _WHOLE.fullmatch(raw):
        return int(raw)
    if spec.type is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


#: How each kind of synced role is named in the form's choices.
KIND_NAMES = {
    DiscordRoleKind.SKILL_GROUP: "Skill group",
    DiscordRoleKind.TEAM: "Team",
    DiscordRoleKind.FRANCHISE: "Franchise",
    DiscordRoleKind.RATING_BAND: "Rating band in",
}

#: Where the role sync form shows a service's error, by its code.
ROLE_FIELDS = {
    LeagueCode.INVALID_ROLE_ID: "discord_role_id",
    LeagueCode.ROLE_ALREADY_SYNCED: "discord_role_id",
    LeagueCode.INVALID_RATING_BAND: "discord_minimum",
    LeagueCode.WRONG_ORGANIZATION: "discord_subject",
    CommonCode.INVALID_STATUS: "discord_subject",
}


def subject_choices(
    subjects: dict[DiscordRoleKind, list[tuple[int, str]]],
) -> list[tuple[str, str]]:
    """The choices of what a synced role stands for: ``kind:id`` and its name."""
    return [
        (f"{kind.value}:{ident}", f"{KIND_NAMES[kind]}: {name}")
        for kind, pairs in subjects.items()
        for ident, name in pairs
    ]


def chosen_subject(form: Form) -> tuple[str, int]:
    """The kind and id the field ``discord_subject`` holds (``kind:id``). Raises
    INVALID_INPUT beside it when it holds no such pair."""
    kind, _, ident = text(form, "discord_subject").partition(":")
    if not (kind and ident.isascii() and ident.isdigit() and len(ident) <= 10):
        raise beside("discord_subject", "Choose what the role stands for.")
    return kind, int(ident)


def configuration_router(runtime: Runtime) -> APIRouter:
    """The configuration page and its two forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def show(
        request: Request,
        org_id: int,
        *,
        status: int = 200,
        error: DomainError | None = None,
        field: str | None = None,
        form: Form | None = None,
        failed: str | None = None,
    ) -> Response:
        who = viewer(request)
        async with runtime.reading() as session:
            org = await staff_organization(session, who, org_id)
            config = await league.organization_config(session, org_id)
            servers = await discord_roles.synced_roles(session, actor=who, organization_id=org_id)
            subjects = await discord_roles.role_subjects(session, actor=who, organization_id=org_id)
        rows = [setting_row(spec, config[key]) for key, spec in KEYS.items()]
        return render(
            request,
            "staff/configuration.html",
            status=status,
            organization=org,
            settings=rows,
            servers=servers,
            server_choices=[(server.guild_id, server.guild_id) for server in servers],
            subjects=subject_choices(subjects),
            error=error,
            field=field,
            form=form or {},
            failed=failed,
        )

    @router.get("/staff/{slug}/configuration")
    async def configuration(request: Request, slug: str) -> Response:
        return await show(request, await organization_in_path(runtime, request, slug))

    @router.post("/staff/{slug}/configuration/time-zone")
    async def set_time_zone(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            org = await league.set_organization_time_zone(
                session, actor=who, organization_id=org_id, time_zone=form.get("time_zone", "")
            )
            return (
                f"/staff/{slug}/configuration",
                f"Dates are now shown in {org.time_zone}.",
            )

        async def again(**state: Any) -> Response:
            return await show(request, org_id, **state)

        return await attempt(
            runtime,
            request,
            org_id,
            work,
            again=again,
            failed="time_zone",
            fields={CommonCode.INVALID_TIME_ZONE: "time_zone"},
        )

    @router.post("/staff/{slug}/configuration/settings")
    async def set_settings(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            config = await league.organization_config(session, org_id)
            changed = []
            for key, spec in KEYS.items():
                if key not in form:
                    continue
                value = from_text(spec, form[key])
                if value == config[key]:
                    continue
                try:
                    await league.set_organization_setting(
                        session, actor=who, organization_id=org_id, key=key, value=value
                    )
                except InvalidInput as error:
                    raise InvalidInput(
                        error.message, code=error.code, details={"field": key}
                    ) from None
                changed.append(key)
            notice = (
                f"Saved {plural(len(changed), 'setting')}: {', '.join(changed)}."
                if changed
                else "Nothing changed: every value was already set."
            )
            return f"/staff/{slug}/configuration", notice

        async def again(**state: Any) -> Response:
            return await show(request, org_id, **state)

        return await attempt(runtime, request, org_id, work, again=again, failed="settings")

    @router.post("/staff/{slug}/configuration/discord-roles")
    async def sync_role(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            kind, subject = chosen_subject(form)
            minimum = whole(form, "discord_minimum", "band's lowest rating")
            await discord_roles.sync_role(
                session,
                actor=who,
                organization_id=org_id,
                guild_id=text(form, "discord_guild"),
                role_id=text(form, "discord_role_id"),
                kind=kind,
                subject_id=subject,
                minimum_rating=minimum,
            )
            role = text(form, "discord_role_id").strip()
            return f"/staff/{slug}/configuration", f"Role {role} is synced now."

        async def again(**state: Any) -> Response:
            return await show(request, org_id, **state)

        return await attempt(
            runtime, request, org_id, work, again=again, failed="discord_roles", fields=ROLE_FIELDS
        )

    @router.post("/staff/{slug}/configuration/discord-roles/stop")
    async def unsync_role(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            role = text(form, "discord_role_id")
            await discord_roles.unsync_role(
                session,
                actor=who,
                organization_id=org_id,
                guild_id=text(form, "discord_guild"),
                role_id=role,
            )
            return (
                f"/staff/{slug}/configuration",
                f"Role {role.strip()} is no longer synced; members keep it as it is.",
            )

        async def again(**state: Any) -> Response:
            return await show(request, org_id, **state)

        return await attempt(runtime, request, org_id, work, again=again, failed="discord_roles")

    @router.post("/staff/{slug}/configuration/discord-nicknames")
    async def nickname_prefix(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            enabled = text(form, "nickname_prefix") == "true"
            link = await discord_roles.set_nickname_prefix(
                session,
                actor=who,
                organization_id=org_id,
                guild_id=text(form, "discord_guild"),
                enabled=enabled,
            )
            state = "on" if enabled else "off"
            return (
                f"/staff/{slug}/configuration",
                f"Franchise tags in nicknames are {state} in server {link.guild_id}.",
            )

        async def again(**state: Any) -> Response:
            return await show(request, org_id, **state)

        return await attempt(runtime, request, org_id, work, again=again, failed="discord_roles")

    return router
