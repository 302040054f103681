"""proven account links, unique member names, identity privacy, token lineage

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00

* ``platform_accounts`` gain ``status`` (pending or verified) and ``proof``. Links made
  before this revision stay verified, with the proof ``legacy`` (staff can list them); the
  uniqueness of an account within an organization now holds for verified links only.
  Downgrading deletes pending links: they counted for nothing.
* ``members`` gain ``name_key`` (names are unique per organization, case-insensitively) and
  ``identities_public`` (default false). Existing duplicates are renamed, not merged: in each
  organization the earliest member (lowest id) keeps the name, each later one becomes
  "Name (2)", "Name (3)", ... (the first number whose name nobody keeps), shortened to fit
  100 characters. Downgrading keeps the new names.
* ``api_tokens`` gain ``created_by_token_id``: the token that created each one.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERIFIED = "status = 'verified'"
_MAX_NAME = 100
_MAX_KEY = 255


def _key(name: str) -> str:
    # Frozen copy of sprocket.league.names.member_name_key as of this revision.
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:_MAX_KEY]


def _unique_names(rows: Sequence[tuple[int, int, str]]) -> dict[int, tuple[str, str]]:
    """(member id, organization id, name) in id order -> member id: (name, key). The first
    holder of a name keeps it; each later one takes the first free "Name (n)", n from 2,
    free meaning no member keeps it (a name kept as it is is never displaced)."""
    result: dict[int, tuple[str, str]] = {}
    used: dict[int, set[str]] = {}
    later: list[tuple[int, int, str]] = []
    for member_id, organization_id, name in rows:
        keys = used.setdefault(organization_id, set())
        if _key(name) in keys:
            later.append((member_id, organization_id, name))
        else:
            keys.add(_key(name))
            result[member_id] = (name, _key(name))
    for member_id, organization_id, name in later:
        keys, number = used[organization_id], 2
        while True:
            suffix = f" ({number})"
            chosen = name[: _MAX_NAME - len(suffix)].rstrip() + suffix
            if _key(chosen) not in keys:
                break
            number += 1
        keys.add(_key(chosen))
        result[member_id] = (chosen, _key(chosen))
    return result


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_token_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_api_tokens_created_by_token_id"), ["created_by_token_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_created_by_token_id_api_tokens"),
            "api_tokens",
            ["created_by_token_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("platform_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="verified")
        )
        batch_op.add_column(sa.Column("proof", sa.String(length=16), nullable=True))
        batch_op.drop_constraint(
            "uq_platform_accounts_organization_id_platform_account_id", type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_platform_accounts_member_id_platform_account_id"),
            ["member_id", "platform", "account_id"],
        )
    op.execute("UPDATE platform_accounts SET proof = 'legacy'")
    with op.batch_alter_table("platform_accounts", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
    op.create_index(
        "uq_platform_accounts_verified",
        "platform_accounts",
        ["organization_id", "platform", "account_id"],
        unique=True,
        sqlite_where=sa.text(_VERIFIED),
        postgresql_where=sa.text(_VERIFIED),
    )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("identities_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    members = sa.table(
        "members",
        sa.column("id", sa.Integer()),
        sa.column("organization_id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("name_key", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(members.c.id, members.c.organization_id, members.c.name).order_by(members.c.id)
    ).all()
    for member_id, (name, key) in _unique_names([tuple(r) for r in rows]).items():
        bind.execute(
            members.update().where(members.c.id == member_id).values(name=name, name_key=key)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column("identities_public", server_default=None)
        batch_op.create_unique_constraint(
            batch_op.f("uq_members_organization_id_name_key"), ["organization_id", "name_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_members_organization_id_name_key"), type_="unique")
        batch_op.drop_column("identities_public")
        batch_op.drop_column("name_key")

    op.drop_index(
        "uq_platform_accounts_verified",
        table_name="platform_accounts",
        sqlite_where=sa.text(_VERIFIED),
        postgresql_where=sa.text(_VERIFIED),
    )
    op.execute("DELETE FROM platform_accounts WHERE status <> 'verified'")
    with op.batch_alter_table("platform_accounts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_platform_accounts_member_id_platform_account_id"), type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_platform_accounts_organization_id_platform_account_id",
            ["organization_id", "platform", "account_id"],
        )
        batch_op.drop_column("proof")
        batch_op.drop_column("status")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_tokens_created_by_token_id_api_tokens"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_api_tokens_created_by_token_id"))
        batch_op.drop_column("created_by_token_id")
