"""A small fake of Epic Account Services' OAuth2 server, run on 127.0.0.1 by the tests: the
authorize step (signing in the configured account at once), the token endpoint (checking the
client's credentials, the code and the redirect URI) and the userinfo endpoint."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.web.fake_discord import send_json, serving

CLIENT_ID = "fake-epic-client"
CLIENT_SECRET = "fake-epic-secret"
ACCOUNT_ID = "0123456789abcdef0123456789abcdef"


@dataclass
class FakeEpic:
    url: str = ""
    #: Who the next authorize step signs in (userinfo's answer).
    person: dict[str, Any] = field(
        default_factory=lambda: {"sub": ACCOUNT_ID, "preferred_username": "EpicAda"}
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, str]:
        """The app's settings pointing at this fake."""
        return {
            "epic_client_id": CLIENT_ID,
            "epic_client_secret": CLIENT_SECRET,
            "epic_authorize_url": f"{self.url}/id/authorize",
            "epic_token_url": f"{self.url}/epic/oauth/v2/token",
            "epic_userinfo_url": f"{self.url}/epic/oauth/v2/userInfo",
        }


def _handler(fake: FakeEpic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            fake.requests.append(f"GET {url.path}")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/id/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    send_json(self, 400, {"errorCode": "errors.com.epicgames.bad_request"})
                    return
                code = secrets.token_hex(8)
                fake.codes[code] = {**query, "person": dict(fake.person)}
                back = {"code": code, "state": query.get("state", "")}
                self.send_response(302)
                self.send_header("location", query["redirect_uri"] + "?" + urlencode(back))
                self.end_headers()
                return
            if url.path == "/epic/oauth/v2/userInfo":
                token = self.headers.get("authorization", "").removeprefix("Bearer ")
                if token not in fake.tokens:
                    send_json(self, 401, {"errorCode": "errors.com.epicgames.unauthorized"})
                    return
                send_json(self, 200, fake.tokens[token])
                return
            send_json(self, 404, {"errorCode": "errors.com.epicgames.not_found"})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            fake.requests.append(f"POST {url.path}")
            length = int(self.headers.get("content-length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if url.path != "/epic/oauth/v2/token":
                send_json(self, 404, {"errorCode": "errors.com.epicgames.not_found"})
                return
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("authorization") != f"Basic {basic}":
                send_json(self, 401, {"error": "invalid_client"})
                return
            started = fake.codes.pop(form.get("code", ""), None)
            if (
                started is None
                or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != started["redirect_uri"]
            ):
                send_json(self, 400, {"error": "invalid_grant"})
                return
            token = secrets.token_hex(16)
            fake.tokens[token] = started["person"]
            answer = {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": 7200,
                "account_id": started["person"]["sub"],
            }
            send_json(self, 200, answer)

    return Handler


@contextmanager
def running_fake_epic() -> Iterator[FakeEpic]:
    fake = FakeEpic()
    with serving(_handler(fake)) as base:
        fake.url = base
        yield fake
