"""A small fake of Steam's OpenID 2.0 provider, run on 127.0.0.1 by the tests.

``GET /openid/login`` (``checkid_setup``) signs in the configured account at once and sends
the browser back to ``return_to`` with a positive assertion, signed with the fake's own key
(HMAC-SHA256 over the signed fields, as an OP does with its association); ``POST
/openid/login`` (``check_authentication``) says whether an assertion carries that signature.
A test may make the assertion lie (another OP endpoint, another return address, a claimed id
that is no Steam account, an old nonce) to see the verifier refuse it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.web.fake_discord import send, serving

NS = "http://specs.openid.net/auth/2.0"
SELECT = "http://specs.openid.net/auth/2.0/identifier_select"
STEAM_ID = "76561198012345678"
SIGNED = "signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle"
_KEY = secrets.token_bytes(32)


def signature(params: dict[str, str]) -> str:
    """The fake OP's signature of an assertion's signed fields (key-value form)."""
    signed = params.get("openid.signed", "").split(",")
    text = "".join(f"{name}:{params.get('openid.' + name, '')}\n" for name in signed)
    return base64.b64encode(hmac.new(_KEY, text.encode(), hashlib.sha256).digest()).decode()


@dataclass
class FakeSteam:
    #: The OP endpoint (the setting ``steam_openid_url``).
    url: str = ""
    steam_id: str = STEAM_ID
    #: Lies the next assertion tells (None: the truth).
    claimed_id: str | None = None
    op_endpoint: str | None = None
    return_to: str | None = None
    nonce_time: dt.datetime | None = None
    #: The ``check_authentication`` requests received (their fields).
    checks: list[dict[str, str]] = field(default_factory=list)

    def assertion(self, query: dict[str, str]) -> dict[str, str]:
        """The positive assertion answering a ``checkid_setup`` request's ``query``."""
        claimed = self.claimed_id or f"https://steamcommunity.com/openid/id/{self.steam_id}"
        issued = self.nonce_time or dt.datetime.now(dt.UTC)
        params = {
            "openid.ns": NS,
            "openid.mode": "id_res",
            "openid.op_endpoint": self.op_endpoint or self.url,
            "openid.claimed_id": claimed,
            "openid.identity": claimed,
            "openid.return_to": self.return_to or query["openid.return_to"],
            "openid.response_nonce": f"{issued:%Y-%m-%dT%H:%M:%SZ}{secrets.token_hex(6)}",
            "openid.assoc_handle": "1234567890",
            "openid.signed": SIGNED,
        }
        params["openid.sig"] = signature(params)
        return params


def _handler(fake: FakeSteam) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if (
                url.path != "/openid/login"
                or query.get("openid.mode") != "checkid_setup"
                or query.get("openid.ns") != NS
                or query.get("openid.claimed_id") != SELECT
                or not query.get("openid.return_to", "").startswith(query.get("openid.realm", "-"))
            ):
                send(self, 400, b"bad request", "text/plain")
                return
            back = query["openid.return_to"] + "?" + urlencode(fake.assertion(query))
            self.send_response(302)
            self.send_header("location", back)
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("content-length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/openid/login":
                send(self, 404, b"not found", "text/plain")
                return
            fake.checks.append(form)
            valid = form.get("openid.mode") == "check_authentication" and hmac.compare_digest(
                form.get("openid.sig", ""), signature(form)
            )
            answer = f"ns:{NS}\nis_valid:{'true' if valid else 'false'}\n"
            send(self, 200, answer.encode(), "text/plain")

    return Handler


@contextmanager
def running_fake_steam() -> Iterator[FakeSteam]:
    fake = FakeSteam()
    with serving(_handler(fake)) as base:
        fake.url = f"{base}/openid/login"
        yield fake
