import time
from tests.league_world import build_world

async def test_t(platform):
    t=time.perf_counter()
    w = await build_world(platform)
    print("world", time.perf_counter()-t)
    t=time.perf_counter()
    w = await build_world(platform, teams=16) if False else None
