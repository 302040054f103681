"""``/staff/{organization}/configuration``: the organization's settings, each with its current
value, its default and its meaning, as one form (every changed value is set through
``set_organization_setting``, all or nothing), and its time zone (``set_organization_time_zone``).
Organization admins change them; the rest of the staff see them."""

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
from sprocket.league import service as league
from sprocket.league.configuration import KEYS, SettingKey
from sprocket.runtime import Runtime
from sprocket.text import plural
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id
from sprocket.web.staff_forms import Form, attempt, staff_organization

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
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
            config = await league.organization_config(session, org_id)
        rows = [setting_row(spec, config[key]) for key, spec in KEYS.items()]
        return render(
            request,
            "staff/configuration.html",
            status=status,
            organization=org,
            settings=rows,
            error=error,
            field=field,
            form=form or {},
            failed=failed,
        )

    @router.get("/staff/{organization_id}/configuration")
    async def configuration(request: Request, organization_id: str) -> Response:
        return await show(request, path_id(organization_id, "organization"))

    @router.post("/staff/{organization_id}/configuration/time-zone")
    async def set_time_zone(request: Request, organization_id: str) -> Response:
        org_id = path_id(organization_id, "organization")

        async def work(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            org = await league.set_organization_time_zone(
                session, actor=who, organization_id=org_id, time_zone=form.get("time_zone", "")
            )
            return (
                f"/staff/{org_id}/configuration",
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

    @router.post("/staff/{organization_id}/configuration/settings")
    async def set_settings(request: Request, organization_id: str) -> Response:
        org_id = path_id(organization_id, "organization")

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
            return f"/staff/{org_id}/configuration", notice

        async def again(**state: Any) -> Response:
            return await show(request, org_id, **state)

        return await attempt(runtime, request, org_id, work, again=again, failed="settings")

    return router
