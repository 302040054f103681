"""Web sessions in the identity domain: start, resolve, end, end all of a user's, expiry."""

from __future__ import annotations

import datetime as dt

import pytest

from sprocket.errors import InvalidInput, PermissionDenied, Unauthenticated
from sprocket.identity import service as identity
from sprocket.identity import sessions
from sprocket.identity.access import Actor
from sprocket.runtime import Runtime

HOUR = dt.timedelta(hours=1)


async def _user(platform: Runtime, n: int, *, superuser: bool = False) -> Actor:
    async with platform.unit_of_work() as session:
        user = await identity.ensure_user(
            session,
            discord_id=str(500000000000000000 + n),
            display_name=f"User {n}",
            is_superuser=superuser,
        )
    return Actor(user_id=user.id, is_superuser=superuser, name=user.display_name)


async def test_a_session_runs_until_it_ends(platform: Runtime) -> None:
    ada = await _user(platform, 1)
    assert ada.user_id is not None
    async with platform.unit_of_work() as session:
        _, secret = await sessions.start_session(session, user_id=ada.user_id, lifetime=HOUR)
    async with platform.reading() as session:
        holder, expires = await sessions.session_holder(session, secret=secret)
    assert holder == ada and expires > dt.datetime.now(dt.UTC)
    async with platform.unit_of_work() as session:
        assert await sessions.end_session(session, secret=secret) is True
        assert await sessions.end_session(session, secret=secret) is False
    async with platform.reading() as session:
        with pytest.raises(Unauthenticated) as ended:
            await sessions.session_holder(session, secret=secret)
    assert ended.value.code == "SESSION_ENDED"


async def test_an_expired_session_is_refused(platform: Runtime) -> None:
    ada = await _user(platform, 1)
    assert ada.user_id is not None
    async with platform.unit_of_work() as session:
        _, secret = await sessions.start_session(
            session, user_id=ada.user_id, lifetime=dt.timedelta(microseconds=1)
        )
    async with platform.reading() as session:
        with pytest.raises(Unauthenticated) as expired:
            await sessions.session_holder(session, secret=secret)
    assert expired.value.code == "SESSION_EXPIRED"
    async with platform.unit_of_work() as session:
        with pytest.raises(InvalidInput):
            await sessions.start_session(session, user_id=ada.user_id, lifetime=-HOUR)


async def test_a_user_or_a_platform_admin_ends_all_of_a_users_sessions(
    platform: Runtime,
) -> None:
    ada, bob = await _user(platform, 1), await _user(platform, 2)
    root = await _user(platform, 3, superuser=True)
    assert ada.user_id is not None and bob.user_id is not None
    async with platform.unit_of_work() as session:
        for _ in range(2):
            await sessions.start_session(session, user_id=ada.user_id, lifetime=HOUR)
        _, bobs = await sessions.start_session(session, user_id=bob.user_id, lifetime=HOUR)
    async with platform.unit_of_work() as session:
        with pytest.raises(PermissionDenied):
            await sessions.end_sessions(session, actor=bob, user_id=ada.user_id)
    async with platform.unit_of_work() as session:
        assert await sessions.end_sessions(session, actor=root, user_id=ada.user_id) == 2
        assert await sessions.end_sessions(session, actor=ada, user_id=ada.user_id) == 0
    async with platform.reading() as session:  # Bob's own session still runs
        assert (await sessions.session_holder(session, secret=bobs))[0] == bob
