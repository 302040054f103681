"""The GraphQL door over HTTP and WebSocket: Strawberry's router, with typed transport errors,
sign-in by ``connection_init`` for subscriptions, and our own console instead of GraphiQL."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from cross_web import HTTPException
from fastapi.responses import HTMLResponse
from starlette.requests import Request
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UNSET, UnsetType

from sprocket.api.codes import GraphQLCode
from sprocket.api.context import Context
from sprocket.errors import CommonCode, DomainError, Unauthenticated
from sprocket.http.auth import authenticate, credentials
from sprocket.http.errors import BadCredentials, HttpCode, error_response

#: Codes of the transport's refusals (the body, the method), by HTTP status.
TRANSPORT_CODES = {
    400: HttpCode.BAD_REQUEST_BODY,
    404: CommonCode.NOT_FOUND,
    405: GraphQLCode.METHOD_NOT_ALLOWED,
    415: GraphQLCode.UNSUPPORTED_MEDIA_TYPE,
}

CONSOLE = files("sprocket.static").joinpath("console.html").read_text(encoding="utf-8")


class GraphQLDoor(GraphQLRouter):
    """``/graphql``. Every refusal before execution (a body that is not a GraphQL request, a
    subscription over plain HTTP, a batch) is JSON with ``errors[].extensions.code``, never
    Strawberry's plain text or a 500."""

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except HTTPException as error:
            reason = error.reason.rstrip(".") + "."
            status = 415 if error.reason == "Unsupported content type" else error.status_code
            code = TRANSPORT_CODES.get(status, CommonCode.BAD_REQUEST)
            return error_response(DomainError(reason, code=code), status)

    def parse_json(self, data: str | bytes) -> Any:
        """A GraphQL request body: a JSON object (a list is a batch, refused later)."""
        try:
            value = super().parse_json(data)
        except (ValueError, RecursionError) as error:
            raise HTTPException(400, "The request body is not valid JSON") from error
        if not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return value

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        """The GraphQL multipart request spec's ``operations`` and ``map``; any other shape
        is a 400 (the library would fail on it with a 500)."""
        try:
            return await super().parse_multipart(request)
        except HTTPException:
            raise
        except (TypeError, AttributeError, ValueError, IndexError) as error:
            raise HTTPException(
                400,
                "The multipart upload's 'operations' and 'map' fields do not follow the "
                "GraphQL multipart request specification",
            ) from error

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(CONSOLE)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Signs in a WebSocket by its ``connection_init`` payload (``{"Authorization":
        "Bearer <token>"}``), since a browser cannot set headers on a WebSocket. A bad token,
        or a second credential beside the handshake's header, is refused (close 4403)."""
        params = context.connection_params or {}
        given = [
            str(value).encode("latin-1", "replace")
            for key, value in params.items()
            if key.lower() == "authorization"
        ]
        if not given:
            return UNSET
        try:
            if context.token is not None:
                raise BadCredentials("This connection already carries an API token.")
            token = credentials(given)
            context.token = token
            context.set_actor(await authenticate(context.runtime, token))
        except (BadCredentials, Unauthenticated) as error:
            raise ConnectionRejectionError(
                {"message": error.message, "extensions": {"code": error.code}}
            ) from None
        return UNSET
