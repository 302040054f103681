"""Steam sign-in: OpenID 2.0, verified on the server.

Steam is an OpenID 2.0 provider (OP) and nothing more: no maintained Python library speaks
that protocol today, so this small verifier does, over httpx. The browser is sent to the OP
(:func:`login_url`); Steam sends it back to our ``return_to`` address with a positive
assertion in the query (``openid.*``), which :func:`verify_assertion` checks before anything
is linked: the OP endpoint is the configured one, the assertion was made for our return
address, names a Steam account (``https://steamcommunity.com/openid/id/<SteamID64>``), is
fresh, is confirmed by the OP itself (``check_authentication``, posted back to the configured
endpoint, never to one the assertion names) and has not been used before (its response nonce
is remembered in the cache for as long as it would be accepted).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from urllib.parse import urlencode

import httpx

from sprocket.db import utcnow
from sprocket.identity.errors import PlatformSignInRefused
from sprocket.platform.cache import Cache

OPENID_NS = "http://specs.openid.net/auth/2.0"
IDENTIFIER_SELECT = "http://specs.openid.net/auth/2.0/identifier_select"
#: The only identifiers Steam vouches for: an account's SteamID64.
CLAIMED_ID = re.compile(r"\Ahttps://steamcommunity\.com/openid/id/([0-9]{17})\Z")
#: How far (seconds) a response nonce's time may lie from ours; a used nonce is remembered
#: twice as long, so it cannot come back while it would still be accepted.
NONCE_SECONDS = 600
#: The fields the OP's signature must cover for the assertion to mean anything.
SIGNED_FIELDS = frozenset(
    {"op_endpoint", "claimed_id", "identity", "return_to", "response_nonce", "assoc_handle"}
)
#: Seconds the OP has to confirm an assertion.
TIMEOUT_SECONDS = 10.0


def login_url(*, endpoint: str, return_to: str, realm: str) -> str:
    """Where to send the browser to sign in at Steam: ``endpoint`` (the OP's URL) asked for
    ``checkid_setup``, Steam choosing the identifier, then back to ``return_to`` (an absolute
    URL of ours, within ``realm``: our site's root URL)."""
    query = urlencode(
        {
            "openid.ns": OPENID_NS,
            "openid.mode": "checkid_setup",
            "openid.claimed_id": IDENTIFIER_SELECT,
            "openid.identity": IDENTIFIER_SELECT,
            "openid.return_to": return_to,
            "openid.realm": realm,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _nonce_time(nonce: str) -> dt.datetime | None:
    """The moment (UTC) a response nonce starts with (``2025-11-24T19:00:00Z...``)."""
    try:
        return dt.datetime.strptime(nonce[:20], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _checked_locally(endpoint: str, return_to: str, params: Mapping[str, str]) -> str:
    """The SteamID64 the assertion claims, once everything that needs no OP is checked."""
    mode = params.get("openid.mode", "")
    if mode == "cancel":
        raise PlatformSignInRefused("The sign-in at Steam was cancelled.")
    if mode != "id_res" or params.get("openid.ns") != OPENID_NS:
        raise PlatformSignInRefused("This is not a Steam sign-in's answer.")
    if params.get("openid.op_endpoint") != endpoint:
        raise PlatformSignInRefused("This answer comes from another sign-in server than Steam's.")
    if params.get("openid.return_to") != return_to:
        raise PlatformSignInRefused("This answer from Steam was made for another site or address.")
    claimed = params.get("openid.claimed_id", "")
    match = CLAIMED_ID.match(claimed)
    if match is None or params.get("openid.identity") != claimed:
        raise PlatformSignInRefused("Steam's answer names no Steam account.")
    signed = set(params.get("openid.signed", "").split(","))
    if not signed >= SIGNED_FIELDS or not params.get("openid.sig"):
        raise PlatformSignInRefused("Steam's answer is not signed as it should be.")
    issued = _nonce_time(params.get("openid.response_nonce", ""))
    if issued is None or abs((utcnow() - issued).total_seconds()) > NONCE_SECONDS:
        raise PlatformSignInRefused("This answer from Steam is too old; sign in at Steam again.")
    return match.group(1)


async def _confirmed_by_op(endpoint: str, params: Mapping[str, str]) -> bool:
    """Whether the OP at ``endpoint`` confirms the assertion's signature
    (``check_authentication``: the same fields posted back, answered ``is_valid:true``)."""
    fields = {k: v for k, v in params.items() if k.startswith("openid.")}
    fields["openid.mode"] = "check_authentication"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            answer = await http.post(endpoint, data=fields)
            answer.raise_for_status()
    except httpx.HTTPError as error:
        raise PlatformSignInRefused(
            "Steam did not answer as expected; try again in a moment."
        ) from error
    lines = dict(line.partition(":")[::2] for line in answer.text.splitlines())
    return lines.get("is_valid", "").strip() == "true"


async def verify_assertion(
    *, endpoint: str, return_to: str, params: Mapping[str, str], cache: Cache
) -> str:
    """The SteamID64 (17 digits) that Steam's positive assertion ``params`` (the callback's
    query: ``openid.*``) proves the browser signed in as.

    ``endpoint``: the configured OP URL (the setting ``steam_openid_url``); ``return_to``:
    the callback address the sign-in was started with. The assertion's response nonce is
    remembered in ``cache`` (:data:`NONCE_SECONDS` twice), so it counts once.
    Raises PlatformSignInRefused (``PLATFORM_SIGN_IN_REFUSED``) saying what is wrong: a
    cancelled sign-in, another OP endpoint, another return address, a claimed id that is no
    Steam account, missing signed fields, a stale nonce, a signature the OP does not confirm,
    a nonce already used, or an OP that does not answer.
    """
    steam_id = _checked_locally(endpoint, return_to, params)
    if not await _confirmed_by_op(endpoint, params):
        raise PlatformSignInRefused(
            "Steam did not confirm this answer (its signature is not Steam's)."
        )
    nonce = params["openid.response_nonce"]
    if await cache.incr(f"steam-nonce:{nonce}", ttl=2 * NONCE_SECONDS) != 1:
        raise PlatformSignInRefused(
            "This answer from Steam was already used; sign in at Steam again."
        )
    return steam_id
