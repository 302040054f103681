"""Alembic, driven from code: `sprocket migrate`, `serve` on start, and the tests.

On PostgreSQL a migration runs under an advisory lock, so processes starting together migrate
once: the first upgrades, the others wait and then find nothing left to do."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

#: The advisory lock every migrating process takes first (PostgreSQL; see migrations/env.py):
#: when several start at once (the API replicas of a rollout), one migrates and the others
#: then find the newest revision already there.
MIGRATION_LOCK = "sprocket:migrate"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "sprocket:migrations")
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Upgrade from async code (env.py runs its own event loop, so use a thread)."""
    await asyncio.to_thread(upgrade, database_url, revision)


def head_revision() -> str:
    """The newest revision the code's migrations know (Alembic's single head)."""
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None, "the migrations have no head"
    return head


def known_revisions() -> set[str]:
    """Every revision id of the code's migrations: a database at another revision was
    written by newer code."""
    scripts = ScriptDirectory.from_config(alembic_config(""))
    return {script.revision for script in scripts.walk_revisions()}
