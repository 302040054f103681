"""Forms that work without JavaScript: read the posted fields, act through a service, then
either redirect (303, "post/redirect/get") with a one-time notice, or show the form again
with the typed error's sentence beside the field it concerns.

The notice travels in a short-lived signed cookie (a made-up one is ignored) that the next
page shows once and clears.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse

from sprocket.errors import CommonCode, DomainError, InvalidInput
from sprocket.text import is_storable

NOTICE_COOKIE = "sprocket_notice"
#: How long a notice waits for the page it was meant for (seconds).
NOTICE_SECONDS = 60
#: The longest notice kept (characters); a longer one is cut.
NOTICE_CHARS = 300


class Notices:
    """Signs and reads the one-time notice; ``secret_key`` is the deployment's key."""

    def __init__(self, secret_key: str, *, secure: bool) -> None:
        self.signer = URLSafeTimedSerializer(secret_key, salt="sprocket-web-notice")
        self.secure = secure

    def give(self, response: RedirectResponse, notice: str) -> None:
        """Attach ``notice`` to ``response`` for the next page to show."""
        response.set_cookie(
            NOTICE_COOKIE,
            self.signer.dumps(notice[:NOTICE_CHARS]),
            max_age=NOTICE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def read(self, request: Request) -> str | None:
        """The notice the request's cookie carries, if ours and recent."""
        value = request.cookies.get(NOTICE_COOKIE)
        if not value:
            return None
        try:
            notice = self.signer.loads(value, max_age=NOTICE_SECONDS)
        except (BadSignature, SignatureExpired):
            return None
        return notice if isinstance(notice, str) else None


def notices_of(request: Request) -> Notices | None:
    """The app's :class:`Notices` (None in an app without the web door)."""
    return getattr(request.app.state, "notices", None)


def see_other(request: Request, url: str, notice: str | None = None) -> RedirectResponse:
    """A 303 redirect to ``url`` (a path on this site), with an optional one-time notice
    ("Saved.", "Alex joined the scrim.") shown on the page it leads to."""
    response = RedirectResponse(url, status_code=303)
    notices = notices_of(request)
    if notice and notices is not None:
        notices.give(response, notice)
    return response


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's text fields by name (the last value of a repeated one; files are
    left out: read them with ``request.form()``), each stripped of surrounding spaces.
    Raises INVALID_INPUT (with the field) for text no database can store (a NUL character
    or a lone surrogate), before anything is done."""
    data = await request.form()
    fields = {
        name: value.strip()
        for name, value in data.multi_items()
        if not isinstance(value, UploadFile)
    }
    for name, value in fields.items():
        if not is_storable(name) or not is_storable(value):
            raise InvalidInput(
                "This form holds a character no text may hold: the NUL character (U+0000) "
                "or a broken Unicode character (a lone surrogate).",
                code=CommonCode.INVALID_INPUT,
                details={"field": name if is_storable(name) else None},
            )
    return fields


def field_of(error: DomainError) -> str | None:
    """The form field a typed error concerns, when its ``details`` name one
    (``{"field": "name"}``); the error is shown beside that field, else above the form."""
    details = error.details
    if isinstance(details, Mapping):
        field = details.get("field")
        return field if isinstance(field, str) else None
    return None


def beside(field: str, message: str) -> InvalidInput:
    """A malformed form value's error, shown beside ``field``."""
    return InvalidInput(message, code=CommonCode.INVALID_INPUT, details={"field": field})


#: Where a form shows a service's error, by its code: a field's name, or a function of the
#: error choosing one (where one code concerns two fields).
Fields = Mapping[Any, "str | Callable[[DomainError], str]"]


def field_for(error: DomainError, fields: Fields | None) -> str | None:
    """The field ``error`` is shown beside: the one it names, else the one ``fields`` gives
    for its code, else none (it is shown above the form)."""
    named = field_of(error)
    if named is not None:
        return named
    place = (fields or {}).get(error.code)
    return place(error) if callable(place) else place
