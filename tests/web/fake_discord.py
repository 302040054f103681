"""A small fake of Discord's OAuth2 server, run on 127.0.0.1 by the tests: the authorize
step (which signs in a chosen person at once), the token endpoint (checking the client's
credentials, the redirect URI and the PKCE verifier) and ``/users/@me``."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "123456789012345678"
CLIENT_SECRET = "fake-discord-secret"


@dataclass
class FakeDiscord:
    url: str = ""
    #: Who the next authorize step signs in (Discord's user object).
    person: dict[str, Any] = field(
        default_factory=lambda: {
            "id": "480000000000000001",
            "username": "rocketfan",
            "global_name": "Rocket Fan",
            "avatar": "a1b2c3d4",
        }
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


def _handler(fake: FakeDiscord) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            fake.requests.append(f"GET {url.path}")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/api/oauth2/authorize":
                if query.get("code_challenge_method") != "S256" or query.get("scope") != "identify":
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_hex(8)
                fake.codes[code] = {**query, "person": dict(fake.person)}
                target = (
                    query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("location", target)
                self.end_headers()
                return
            if url.path == "/api/users/@me":
                token = self.headers.get("authorization", "").removeprefix("Bearer ")
                if token not in fake.tokens:
                    self._json(401, {"message": "401: Unauthorized", "code": 0})
                    return
                self._json(200, fake.tokens[token])
                return
            self._json(404, {"message": "404: Not Found"})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            fake.requests.append(f"POST {url.path}")
            length = int(self.headers.get("content-length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if url.path != "/api/oauth2/token":
                self._json(404, {"message": "404: Not Found"})
                return
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("authorization") != f"Basic {basic}":
                self._json(401, {"error": "invalid_client"})
                return
            started = fake.codes.pop(form.get("code", ""), None)
            if started is None or form.get("grant_type") != "authorization_code":
                self._json(400, {"error": "invalid_grant"})
                return
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                challenge != started["code_challenge"]
                or form.get("redirect_uri") != started["redirect_uri"]
            ):
                self._json(400, {"error": "invalid_grant"})
                return
            token = secrets.token_hex(16)
            fake.tokens[token] = started["person"]
            self._json(
                200,
                {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": 604800,
                    "scope": "identify",
                },
            )

    return Handler


@contextmanager
def running_fake_discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
