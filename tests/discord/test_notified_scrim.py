"""With Discord off (the embedded default), a scrim's notifications land in the inbox alone:
its pop DMs are recorded as skipped, never sent. (With Discord on, the pop and lobby DMs, and
a redelivered event sending nothing twice, are in tests/discord/test_end_to_end.py.)"""

from __future__ import annotations

from sprocket.notifications.enums import NotificationKind
from sprocket.runtime import Runtime
from tests.api.test_replay_api import drain
from tests.league_world import World
from tests.notifications.support import deliveries, inbox_rows
from tests.scrims.helpers import premier_people
from tests.scrims.test_service import join, open_scrim


async def test_with_discord_off_everything_lands_in_the_inbox(
    platform: Runtime, world: World
) -> None:
    assert platform.settings.discord_bot_token is None  # the embedded default
    people = (await premier_people(platform, world))[:4]
    scrim = await open_scrim(platform, world, people[0])
    for person in people[1:]:
        await join(platform, person, scrim.id)
    await drain(platform)
    popped = [r for r in await inbox_rows(platform) if r.kind == NotificationKind.SCRIM_POPPED]
    assert {r.user_id for r in popped} == {p.user_id for p in people}
    dms = [d for d in await deliveries(platform, "scrim_popped:") if ":dm:" in d.key]
    assert len(dms) == 4 and {d.status for d in dms} == {"skipped"}
