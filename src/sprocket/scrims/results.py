"""Results of scrims: a player uploads the games' replays, the others ratify, ratings move.

Flow (no tables beyond the scrim's own)::

    in_progress --submit_scrim_replays--> in_progress, every ScrimGame scored
                --ratify_scrim x required_ratifications--> complete (then rated)

* A participant of an in-progress scrim uploads one replay per game, in game order. Each file
  is verified (CRCs and header, :func:`~sprocket.replays.parser.parse_replay`) and matched to
  the :class:`~sprocket.scrims.models.ScrimGame` of the same number. Every player in it must be
  a member of the scrim through a linked :class:`~sprocket.identity.models.PlatformAccount`
  and in that game's line-up; the replay's side that holds the game's home members is home.
  The game's goals, replay (stored once by SHA-256, as league replays) and date are recorded.
  Anything wrong refuses the whole upload with a typed error and changes nothing.
* The other participants ratify. Ratifications (and the upload) are recorded in the
  organization's audit log (``AuditEntry`` rows, subject ``scrim:<id>``, actions
  ``scrim.submit`` and ``scrim.ratify``): that is where who ratified lives, without a table of
  its own. When the organization's ``required_ratifications`` distinct participants other than
  the uploader have ratified (0: the upload alone completes it), the scrim is complete, its
  seats are freed, and — for a competitive scrim, when ``ratings_from_competitive_scrims`` is
  on — its decided games are rated (:func:`sprocket.ratings.service.rate_scrim_games`; a full
  recompute reads the same games through ``GAME_SOURCES``).
* A scrim is submitted once: its games keep their first scored replays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, PermissionDenied
from sprocket.identity import access
from sprocket.identity.access import Actor
from sprocket.identity.models import PlatformAccount
from sprocket.league.models import Member
from sprocket.platform.storage import ObjectStorage
from sprocket.ratings import service as ratings
from sprocket.replays import service as replays
from sprocket.replays.models import AuditEntry, StoredReplay
from sprocket.replays.parser import Replay
from sprocket.replays.service import Upload
from sprocket.replays.validation import PLATFORMS
from sprocket.scrims import service
from sprocket.scrims.models import Scrim, ScrimGame

SUBMIT, RATIFY = "scrim.submit", "scrim.ratify"


def _subject(scrim: Scrim) -> str:
    return f"scrim:{scrim.id}"


def _ids(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v]


def participants(games: Sequence[ScrimGame]) -> set[int]:
    """Every member in some game's line-up."""
    return {m for g in games for m in (*_ids(g.home_member_ids), *_ids(g.away_member_ids))}


async def _participant(
    session: AsyncSession, actor: Actor, scrim: Scrim, games: Sequence[ScrimGame], doing: str
) -> Member:
    access.require_user(actor)
    member = await session.scalar(
        select(Member).where(
            Member.organization_id == scrim.organization_id, Member.user_id == actor.user_id
        )
    )
    if member is None or member.id not in participants(games):
        raise PermissionDenied(f"Only the players of scrim {scrim.id} {doing}.")
    return member


def _account_key(platform: str, account_id: str) -> tuple[str, str]:
    return (platform, account_id.lower() if platform == "epic" else account_id)


def _played_at(replay: Replay, fallback: dt.datetime) -> dt.datetime:
    moment = replay.started_at or replay.date
    if moment is None:
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _score(
    number: int,
    replay: Replay,
    game: ScrimGame,
    accounts: dict[tuple[str, str], int],
    names: dict[int, str],
) -> tuple[int, int]:
    """(home goals, away goals) of one game's replay, or a typed error."""
    home, away = set(_ids(game.home_member_ids)), set(_ids(game.away_member_ids))
    sides: dict[int, set[int]] = {0: set(), 1: set()}
    for player in replay.players:
        label = f"Replay {number}: '{player.name}'"
        if player.is_bot:
            raise InvalidInput(f"{label} is a bot; scrims are played by people.", code="BOT_PLAYER")
        if player.platform not in PLATFORMS or not player.platform_id:
            raise InvalidInput(
                f"{label} has no platform account Sprocket can read.", code="UNKNOWN_ACCOUNT"
            )
        member = accounts.get(_account_key(player.platform, player.platform_id))
        if member is None:
            raise InvalidInput(
                f"{label} ({player.platform} {player.platform_id}) is linked to nobody in "
                "this organization.",
                code="UNKNOWN_ACCOUNT",
            )
        if member not in home | away or player.team not in (0, 1):
            raise InvalidInput(
                f"{label} is {names.get(member, 'a member')}, who is not in game {game.number}'s "
                "line-up.",
                code="NOT_IN_LINEUP",
            )
        sides[player.team].add(member)
    if sides[0] and sides[0] <= home and sides[1] <= away and sides[1]:
        home_index = 0
    elif sides[1] and sides[1] <= home and sides[0] <= away and sides[0]:
        home_index = 1
    else:
        raise InvalidInput(
            f"Replay {number}: its sides are not game {game.number}'s two line-ups.",
            code="SIDES_DO_NOT_MATCH",
        )
    scores = (replay.team0_score, replay.team1_score)
    if scores[0] == scores[1]:
        raise InvalidInput(
            f"Replay {number}: the game ended {scores[0]}-{scores[1]}; a scrim game needs a "
            "winner.",
            code="UNDECIDED_GAME",
        )
    return scores[home_index], scores[1 - home_index]


async def _replay_in_use(session: AsyncSession, digest: str) -> str | None:
    """What already holds this replay: a scrim game or a league submission."""
    scrim_id = await session.scalar(
        select(ScrimGame.scrim_id)
        .join(StoredReplay, StoredReplay.id == ScrimGame.stored_replay_id)
        .where(StoredReplay.sha256 == digest)
        .limit(1)
    )
    if scrim_id is not None:
        return f"scrim {scrim_id}"
    submission = await replays._used_by(session, digest)
    return None if submission is None else f"submission {submission}"


async def submit_scrim_replays(
    session: AsyncSession,
    *,
    actor: Actor,
    storage: ObjectStorage,
    scrim_id: int,
    files: Sequence[Upload],
    max_size: int,
    now: dt.datetime | None = None,
) -> Scrim:
    """A participant uploads one replay per game of an in-progress scrim (see the module)."""
    now = now or utcnow()
    scrim = await service._scrim(session, scrim_id)
    games = await service.game_lineups_of(session, scrim.id)
    member = await _participant(session, actor, scrim, games, "submit its replays")
    if scrim.status != service.IN_PROGRESS:
        raise Conflict(
            f"Scrim {scrim.id} is {scrim.status.replace('_', ' ')}; replays are submitted for a "
            "scrim in progress.",
            code="SCRIM_NOT_IN_PROGRESS",
        )
    if any(g.stored_replay_id is not None for g in games):
        raise Conflict(
            f"Scrim {scrim.id}'s replays are already submitted.", code="SCRIM_ALREADY_SUBMITTED"
        )
    if len(files) != len(games):
        raise InvalidInput(
            f"Scrim {scrim.id} has {len(games)} games; attach one replay for each, in order "
            f"(got {len(files)}).",
            code="WRONG_FILE_COUNT",
        )
    accounts = {
        _account_key(p, a): m
        for p, a, m in await session.execute(
            select(
                PlatformAccount.platform, PlatformAccount.account_id, PlatformAccount.member_id
            ).where(PlatformAccount.organization_id == scrim.organization_id)
        )
    }
    names = dict(
        (
            await session.execute(
                select(Member.id, Member.name).where(
                    Member.organization_id == scrim.organization_id
                )
            )
        ).all()
    )
    checked: list[tuple[ScrimGame, Upload, str, Replay, tuple[int, int]]] = []
    digests: dict[str, int] = {}
    for number, (game, upload) in enumerate(zip(games, files, strict=True), start=1):
        replay = replays._verify(number, upload, max_size)
        digest = hashlib.sha256(upload.data).hexdigest()
        if digest in digests:
            raise InvalidInput(
                f"Replay {number} ({upload.filename}) is the same file as replay "
                f"{digests[digest]}.",
                code="DUPLICATE_FILE",
            )
        digests[digest] = number
        used = await _replay_in_use(session, digest)
        if used is not None:
            raise Conflict(
                f"Replay {number} ({upload.filename}) is already part of {used}.",
                code="REPLAY_ALREADY_USED",
            )
        checked.append(
            (game, upload, digest, replay, _score(number, replay, game, accounts, names))
        )
    stored_ids = []
    for game, upload, digest, replay, (home_goals, away_goals) in checked:
        stored = await replays._store(session, storage, upload, digest, actor)
        game.stored_replay_id = stored.id
        game.home_goals, game.away_goals = home_goals, away_goals
        game.played_at = _played_at(replay, now)
        stored_ids.append(stored.id)
    _audit(session, actor, scrim, SUBMIT, member_id=member.id, stored_replay_ids=stored_ids)
    await session.flush()
    config = await service._config(session, scrim.organization_id)
    if config["required_ratifications"] <= 0:
        await _complete(session, scrim, now)
    await service._announce(session, scrim, also=participants(games), now=now)
    return scrim


def _audit(
    session: AsyncSession, actor: Actor, scrim: Scrim, action: str, **details: object
) -> None:
    session.add(
        AuditEntry(
            organization_id=scrim.organization_id,
            actor_user_id=actor.user_id,
            action=action,
            subject=_subject(scrim),
            details=details,
        )
    )


async def _entries(session: AsyncSession, scrim: Scrim, action: str) -> list[AuditEntry]:
    return list(
        (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.subject == _subject(scrim), AuditEntry.action == action)
                .order_by(AuditEntry.id)
            )
        ).all()
    )


async def ratifiers(session: AsyncSession, *, scrim_id: int) -> list[int]:
    """The users who ratified the scrim's result, in order."""
    scrim = await service._scrim(session, scrim_id, lock=False)
    return [e.actor_user_id for e in await _entries(session, scrim, RATIFY) if e.actor_user_id]


async def ratify_scrim(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """A participant other than the uploader confirms the submitted result; the required
    number of confirmations completes the scrim and rates it (once)."""
    now = now or utcnow()
    scrim = await service._scrim(session, scrim_id)
    games = await service.game_lineups_of(session, scrim.id)
    await _participant(session, actor, scrim, games, "ratify its result")
    submitted = await _entries(session, scrim, SUBMIT)
    if submitted and submitted[-1].actor_user_id == actor.user_id:
        raise PermissionDenied(
            "You submitted this scrim's replays; another player ratifies them.",
            code="SUBMITTING_SIDE",
        )
    done = {e.actor_user_id for e in await _entries(session, scrim, RATIFY)}
    if actor.user_id in done and scrim.status == service.COMPLETE:
        return scrim  # a repeated ratification changes nothing
    if scrim.status != service.IN_PROGRESS or not submitted:
        raise Conflict(
            f"Scrim {scrim.id} has no submitted result awaiting ratification.",
            code="NOT_AWAITING_RATIFICATION",
        )
    if actor.user_id in done:
        return scrim
    _audit(session, actor, scrim, RATIFY)
    await session.flush()
    config = await service._config(session, scrim.organization_id)
    if len(done) + 1 >= config["required_ratifications"]:
        await _complete(session, scrim, now)
    await service._announce(session, scrim, also=participants(games), now=now)
    return scrim


async def _complete(session: AsyncSession, scrim: Scrim, now: dt.datetime) -> None:
    """The result stands: the scrim is complete, its seats freed, its games rated."""
    entries = await service._active_entries(session, scrim.id)
    for entry in entries:
        service._unseat(entry, now)
    service._finish(scrim, service.COMPLETE, now)
    await session.flush()
    if scrim.competitive:
        await ratings.rate_scrim_games(session, scrim_id=scrim.id)
