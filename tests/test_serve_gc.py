"""A serving process freezes what it built at startup out of the garbage collector's full
collections (which would otherwise walk it all, pausing every request), and gives it back
when it stops."""

from __future__ import annotations

import gc

from sprocket.app import create_app
from sprocket.config import Settings


async def test_the_app_freezes_its_startup_objects_while_it_serves(settings: Settings) -> None:
    app = create_app(settings)  # it owns its runtime, as `sprocket serve`'s does
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0
