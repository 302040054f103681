"""Migration 0007 on a database with data: duplicate member names are renamed (the earliest
member keeps the name), existing account links stay verified as ``legacy``, and a downgrade
drops the pending links that the older schema could not hold."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import text

from sprocket.db import create_engine
from sprocket.migrate import downgrade, upgrade
from tests.test_migrations import empty_database  # noqa: F401 (a fixture)

LONG = "L" * 100
MEMBERS = [  # id, organization, name
    (1, 1, "Deevo"),
    (2, 1, "deevo"),
    (3, 1, "DEEVO "),
    (4, 1, "Deevo (2)"),  # already the first name a duplicate would get
    (5, 2, "deevo"),  # another organization: untouched
    (6, 1, LONG),
    (7, 1, LONG.lower()),
]


def _run(url: str, *statements: tuple[str, dict[str, Any]]) -> list[list[tuple[Any, ...]]]:
    async def main() -> list[list[tuple[Any, ...]]]:
        engine = create_engine(url)
        results = []
        try:
            async with engine.begin() as connection:
                for sql, params in statements:
                    result = await connection.execute(text(sql), params)
                    results.append([tuple(r) for r in result] if result.returns_rows else [])
        finally:
            await engine.dispose()
        return results

    return asyncio.run(main())


def _seed(url: str) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows: list[tuple[str, dict[str, Any]]] = []
    for org in (1, 2):
        rows.append(
            (
                "INSERT INTO organizations (id, slug, name, created_at) VALUES (:i, :s, :n, :t)",
                {"i": org, "s": f"org-{org}", "n": f"Org {org}", "t": now},
            )
        )
    for member_id, org, name in MEMBERS:
        rows.append(
            (
                "INSERT INTO users (id, discord_id, display_name, is_superuser, created_at)"
                " VALUES (:i, :d, :n, false, :t)",
                {"i": member_id, "d": str(1000 + member_id), "n": name, "t": now},
            )
        )
        rows.append(
            (
                "INSERT INTO members (id, organization_id, user_id, name, joined_at)"
                " VALUES (:i, :o, :i, :n, :t)",
                {"i": member_id, "o": org, "n": name, "t": now},
            )
        )
    rows.append(
        (
            "INSERT INTO platform_accounts"
            " (id, organization_id, member_id, platform, account_id, created_at)"
            " VALUES (1, 1, 2, 'steam', '76561198000000001', :t)",
            {"t": now},
        )
    )
    _run(url, *rows)


def test_existing_data_is_carried_over(empty_database: str) -> None:  # noqa: F811
    upgrade(empty_database, "0006")
    _seed(empty_database)
    upgrade(empty_database, "0007")
    members, accounts = _run(
        empty_database,
        ("SELECT id, name, name_key, identities_public FROM members ORDER BY id", {}),
        ("SELECT member_id, status, proof FROM platform_accounts", {}),
    )
    assert members == [
        (1, "Deevo", "deevo", False),
        (2, "deevo (3)", "deevo (3)", False),
        (3, "DEEVO (4)", "deevo (4)", False),
        (4, "Deevo (2)", "deevo (2)", False),
        (5, "deevo", "deevo", False),
        (6, LONG, LONG.lower(), False),
        (7, "l" * 96 + " (2)", "l" * 96 + " (2)", False),
    ]
    assert accounts == [(2, "verified", "legacy")]

    # Down again: a pending link, which the old unique account rule could not hold, goes.
    _run(
        empty_database,
        (
            "INSERT INTO platform_accounts (id, organization_id, member_id, platform, account_id,"
            " status, created_at) VALUES (2, 1, 3, 'steam', '76561198000000001', 'pending',"
            " '2026-01-01 00:00:00')",
            {},
        ),
    )
    downgrade(empty_database, "0006")
    (accounts,) = _run(empty_database, ("SELECT id, member_id FROM platform_accounts", {}))
    assert accounts == [(1, 2)]
