"""A small fake of Discord's OAuth2 server, run on 127.0.0.1 by the tests: the authorize
step (which signs in a chosen person at once), the token endpoint (checking the client's
credentials, the redirect URI and the PKCE verifier), ``/users/@me``, and the CDN's
``/avatars/<id>/<hash>.png``. Also the pieces the other fakes (Steam, Epic) share: a JSON
answer and a server run in a thread."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "123456789012345678"
CLIENT_SECRET = "fake-discord-secret"


def tiny_png() -> bytes:
    """A valid 1x1 PNG image (one opaque orange pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x80\x00")  # filter byte, then R G B
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def send_json(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    """Answer ``handler``'s request with ``body`` as JSON."""
    send(handler, status, json.dumps(body).encode(), "application/json")


def send(handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
    """Answer ``handler``'s request with ``data``."""
    handler.send_response(status)
    handler.send_header("content-type", content_type)
    handler.send_header("content-length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on a free port of 127.0.0.1 in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeDiscord:
    url: str = ""
    #: The CDN's base URL (the setting ``discord_cdn_url``).
    cdn_url: str = ""
    #: What the CDN answers for an avatar: the status and the bytes.
    avatar_status: int = 200
    avatar: bytes = field(default_factory=tiny_png)
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

    def settings(self) -> dict[str, str]:
        """The app's settings pointing at this fake."""
        return {
            "discord_client_id": CLIENT_ID,
            "discord_client_secret": CLIENT_SECRET,
            "discord_api_url": self.url,
            "discord_cdn_url": self.cdn_url,
        }


def _handler(fake: FakeDiscord) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            send_json(self, status, body)

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
            person = fake.person
            if url.path == f"/avatars/{person['id']}/{person['avatar']}.png":
                send(self, fake.avatar_status, fake.avatar, "image/png")
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
    with serving(_handler(fake)) as base:
        fake.url = f"{base}/api"
        fake.cdn_url = base
        yield fake
