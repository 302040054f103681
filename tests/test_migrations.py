"""Migrations: upgrade from empty, downgrade, and models that match what the migrations build."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError

from sprocket.db import State, create_engine
from sprocket.migrate import alembic_config, downgrade, upgrade
from sprocket.models import Base
from tests.conftest import POSTGRES_URL, _pg_admin

SCRIPTS = ScriptDirectory.from_config(alembic_config("sqlite://"))
HEAD = SCRIPTS.get_current_head()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a database with nothing in it, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set SPROCKET_TEST_POSTGRES_URL to run this case")
    name = f"sprocket_mig_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _inspect(url: str) -> tuple[str | None, set[str]]:
    """The database's Alembic revision and its tables (alembic_version aside)."""

    def read(connection: Connection) -> tuple[str | None, set[str]]:
        revision = MigrationContext.configure(connection).get_current_revision()
        return revision, set(inspect(connection).get_table_names()) - {"alembic_version"}

    async def main() -> tuple[str | None, set[str]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _differences(url: str) -> list[object]:
    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async def main() -> list[object]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(main())


MODEL_TABLES = set(Base.metadata.tables)


def test_there_is_one_head_and_a_linear_history():
    assert len(SCRIPTS.get_heads()) == 1
    revisions = list(SCRIPTS.walk_revisions())
    assert revisions[-1].down_revision is None  # one base
    assert all(not r.is_merge_point for r in revisions)


def test_upgrade_from_empty_and_downgrade(empty_database):
    assert _inspect(empty_database) == (None, set())

    upgrade(empty_database)
    revision, tables = _inspect(empty_database)
    assert revision == HEAD
    assert tables == MODEL_TABLES

    # one step down lands on the previous revision (the base, while there is only one)
    previous = SCRIPTS.get_revision(HEAD).down_revision
    downgrade(empty_database, "-1")
    revision, tables = _inspect(empty_database)
    assert revision == previous
    if previous is None:
        assert tables == set()
    else:
        assert tables  # an older schema

    # and back up, then all the way down
    upgrade(empty_database)
    assert _inspect(empty_database) == (HEAD, MODEL_TABLES)
    downgrade(empty_database, "base")
    assert _inspect(empty_database) == (None, set())

    # an upgrade after a full downgrade still works (nothing was left behind)
    upgrade(empty_database)
    assert _inspect(empty_database) == (HEAD, MODEL_TABLES)


def test_models_match_the_migrations(empty_database):
    upgrade(empty_database)
    differences = _differences(empty_database)
    assert differences == [], "models and migrations disagree; generate a migration:\n" + "\n".join(
        map(str, differences)
    )


def test_partial_indexes_keep_the_migrations_predicates(tmp_path: Path):
    """Autogenerate does not compare a partial index's predicate: the model's text must be
    the migration's (SQLite keeps each index's SQL as it was written)."""
    path = tmp_path / "fresh.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    with closing(sqlite3.connect(path)) as connection:
        built = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    partial = {
        index.name: index.dialect_options["sqlite"]["where"]
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["sqlite"]["where"] is not None
    }
    assert "uq_platform_accounts_verified" in partial
    for name, where in partial.items():
        assert built[name].endswith(f" WHERE {where.text}"), (name, built[name], where.text)


def test_upgrade_to_head_twice_is_a_no_op(empty_database):
    upgrade(empty_database)
    upgrade(empty_database)
    assert _inspect(empty_database) == (HEAD, MODEL_TABLES)


#: Every column of the models that holds a state: (table, column).
STATE_COLUMNS = {
    (table.name, column.name)
    for table in Base.metadata.tables.values()
    for column in table.columns
    if isinstance(column.type, State)
}


def test_every_state_column_is_kept_to_its_values(empty_database):
    upgrade(empty_database)

    def read(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {
            check["name"]
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
        }

    async def main() -> set[str]:
        engine = create_engine(empty_database)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    assert STATE_COLUMNS  # the models have states
    expected = {f"ck_{table}_{column}" for table, column in STATE_COLUMNS}
    assert expected <= asyncio.run(main())
    declared = {
        check.name
        for table in Base.metadata.tables.values()
        for check in table.constraints
        if check.name and check.name.startswith("ck_")
    }
    assert expected <= declared  # and the models declare the same constraints


def test_the_database_refuses_an_unknown_state(empty_database):
    upgrade(empty_database)
    grant = text(
        "INSERT INTO role_grants (user_id, organization_id, role, created_at)"
        " VALUES (1, 1, :role, '2026-01-01 00:00:00')"
    )

    async def main() -> None:
        engine = create_engine(empty_database)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO users (id, display_name, is_superuser, created_at)"
                        " VALUES (1, 'Ann', false, '2026-01-01 00:00:00')"
                    )
                )
                await connection.execute(
                    text(
                        "INSERT INTO organizations (id, slug, name, time_zone, created_at)"
                        " VALUES (1, 'org', 'Org', 'UTC', '2026-01-01 00:00:00')"
                    )
                )
                await connection.execute(grant, {"role": "player"})  # a known role is taken
            with pytest.raises(IntegrityError, match="ck_role_grants_role|CHECK"):
                async with engine.begin() as connection:
                    await connection.execute(grant, {"role": "emperor"})
        finally:
            await engine.dispose()

    asyncio.run(main())
