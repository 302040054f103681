"""``/link platform [id]``: linking a game account to the caller's membership of the
organization, as the web's settings page does.

Steam accounts (and Epic ones where the server has an Epic application) are proved by
signing in at the platform, on the web: the answer links to the web's linking page
(:mod:`sprocket.web.linking`), which sends a browser not signed in through the Discord
sign-in first and back. Xbox, PlayStation and Switch accounts (and Epic ones on a server
without Epic sign-in) are entered: a pending link through the settings page's service
(:func:`sprocket.league.accounts.link_platform_account`), which a confirmed claim from a
replay or league staff verify.
"""

from __future__ import annotations

from sprocket.discord.errors import DiscordCode
from sprocket.discord.registry import Call, Command, Option
from sprocket.discord.replies import Reply
from sprocket.errors import DomainError, InvalidInput, PermissionDenied
from sprocket.league import accounts, lookup
from sprocket.league.enums import AccountStatus, GamePlatform
from sprocket.league.errors import LeagueCode
from sprocket.league.models import Member

PLATFORMS = (
    GamePlatform.STEAM,
    GamePlatform.EPIC,
    GamePlatform.XBOX,
    GamePlatform.PSN,
    GamePlatform.SWITCH,
)
PLATFORM = Option(
    "platform",
    "Where your Rocket League account lives.",
    required=True,
    choices=tuple((accounts.platform_name(p), p.value) for p in PLATFORMS),
)
ACCOUNT = Option("id", "Your account's name or id (Xbox, PlayStation, Switch).", max_length=64)


async def membership(call: Call) -> Member:
    """The caller's current membership of the organization. Raises PERMISSION_DENIED."""
    assert call.actor.user_id is not None
    async with call.runtime.reading() as session:
        member = await lookup.current_member(
            session, organization_id=call.organization, user_id=call.actor.user_id
        )
    if member is None:
        raise PermissionDenied(
            "Only members of this organization link game accounts to it; join it first."
        )
    return member


def sign_in_link(call: Call, member: Member, platform: GamePlatform) -> Reply:
    """The web's page that proves a ``platform`` account by signing in there, for
    ``member``. Raises NO_PUBLIC_URL (the server does not know its address)."""
    site = call.runtime.settings.public_url
    name = accounts.platform_name(platform)
    if not site:
        raise DomainError(
            f"Linking a {name} account happens on the web, whose address this server does not "
            "know (its operator sets SPROCKET_PUBLIC_URL); use the settings page there.",
            code=DiscordCode.NO_PUBLIC_URL,
        )
    url = f"{site.rstrip('/')}/settings/link/{platform.value}?member={member.id}"
    return Reply(
        f"Prove your {name} account by signing in at {name}: {url}\n"
        "(A browser not signed in to Sprocket signs in with Discord first, then goes on.)",
        ephemeral=True,
    )


async def link_command(call: Call) -> Reply:
    """Steam (and Epic with Epic sign-in): the link to the web's sign-in at the platform;
    the others: a pending link of the ``id`` given."""
    member = await membership(call)
    platform = accounts.parse_platform(str(call.option("platform", "")))
    name = accounts.platform_name(platform)
    settings = call.runtime.settings
    if platform == GamePlatform.STEAM or (platform == GamePlatform.EPIC and settings.epic_sign_in):
        return sign_in_link(call, member, platform)
    given = str(call.option("id", "")).strip()
    if not given:
        raise InvalidInput(
            f"Give your {name} account's name or id with the id option.",
            code=LeagueCode.INVALID_ACCOUNT_ID,
        )
    async with call.runtime.unit_of_work() as session:
        row = await accounts.link_platform_account(
            session,
            actor=call.actor,
            member_id=member.id,
            platform=platform.value,
            account_id=given,
        )
    if row.status == AccountStatus.VERIFIED:
        return Reply(f"Your {name} account {row.account_id} is linked and verified.")
    return Reply(
        f"Your {name} account {row.account_id} is linked, pending: it counts once it is "
        "confirmed, by a claim of it from a replay of one of your games (confirmed by the "
        "other side or staff) or by league staff linking it."
    )


COMMANDS = (
    Command(
        "link",
        "Link your Rocket League account (Steam and Epic: signing in there, on the web).",
        link_command,
        options=(PLATFORM, ACCOUNT),
        private=True,
    ),
)
