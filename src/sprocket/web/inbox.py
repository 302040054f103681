"""``/inbox``: a signed-in person's notifications, newest first, unread ones marked (mark
one read, or all); ``/settings/notifications``: how each kind reaches them (a direct
message on Discord, the channel only, or off; silent mentions). The unread count shows in
the site's header on every page (:func:`sprocket.web.pages.render`)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import InvalidInput
from sprocket.notifications import inbox, preferences
from sprocket.notifications.enums import DeliveryMode, NotificationKind
from sprocket.runtime import Runtime
from sprocket.text import plural
from sprocket.web.clocks import clocks
from sprocket.web.forms import field_of, read_form, see_other
from sprocket.web.pages import WebRoute, render, signed_in_viewer, status_of
from sprocket.web.params import path_id

#: The deliveries in words, as the preferences form offers them.
DELIVERIES = (
    (DeliveryMode.DM, "Direct message"),
    (DeliveryMode.CHANNEL, "Channel only"),
    (DeliveryMode.OFF, "Off (inbox only)"),
)


def inbox_router(runtime: Runtime) -> APIRouter:
    """The inbox, its two forms, and the notification settings page with its form."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/inbox")
    async def inbox_page(request: Request) -> Response:
        who = signed_in_viewer(request, "read your notifications")
        after = request.query_params.get("after") or None
        unread_only = request.query_params.get("unread") == "1"
        async with runtime.reading() as session:
            shown = await inbox.inbox(session, actor=who, after=after, unread_only=unread_only)
            moments = await clocks(session, {n.organization_id for n in shown.rows})
        return render(
            request,
            "inbox.html",
            page=shown,
            unread_only=unread_only,
            moments=moments,
        )

    @router.post("/inbox/{notification_id}/read")
    async def read_one(request: Request, notification_id: str) -> Response:
        who = signed_in_viewer(request, "read your notifications")
        await read_form(request)
        async with runtime.unit_of_work() as session:
            row = await inbox.mark_read(
                session, actor=who, notification_id=path_id(notification_id, "notification")
            )
        return see_other(request, "/inbox", f"Marked read: {row.title}.")

    @router.post("/inbox/read-all")
    async def read_all(request: Request) -> Response:
        who = signed_in_viewer(request, "read your notifications")
        await read_form(request)
        async with runtime.unit_of_work() as session:
            count = await inbox.mark_all_read(session, actor=who)
        return see_other(request, "/inbox", f"Marked read: {plural(count, 'notification')}.")

    async def settings_page(request: Request, status: int = 200, **values: object) -> Response:
        who = signed_in_viewer(request, "choose how notifications reach you")
        async with runtime.reading() as session:
            chosen = await preferences.my_preferences(session, actor=who)
        values.setdefault("error", None)
        values.setdefault("field", None)
        return render(
            request,
            "notification_settings.html",
            status=status,
            preferences=chosen,
            deliveries=DELIVERIES,
            **values,
        )

    @router.get("/settings/notifications")
    async def notification_settings(request: Request) -> Response:
        return await settings_page(request)

    @router.post("/settings/notifications")
    async def save_notification_settings(request: Request) -> Response:
        who = signed_in_viewer(request, "choose how notifications reach you")
        form = await read_form(request)
        try:
            async with runtime.unit_of_work() as session:
                for kind in NotificationKind:
                    try:
                        await preferences.set_preference(
                            session,
                            actor=who,
                            kind=kind,
                            delivery=form.get(f"{kind}-delivery", kind.default),
                            silent=form.get(f"{kind}-silent") == "yes",
                        )
                    except InvalidInput as error:
                        raise InvalidInput(
                            error.message, code=error.code, details={"field": f"{kind}-delivery"}
                        ) from None
        except InvalidInput as error:
            return await settings_page(
                request, status_of(error), error=error, field=field_of(error)
            )
        return see_other(
            request, "/settings/notifications", "Your notification settings are saved."
        )

    return router
