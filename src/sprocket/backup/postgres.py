"""PostgreSQL's own tools for a dump and its restore: ``pg_dump`` in the custom format (of
the server's major version, as PostgreSQL advises) and ``pg_restore``.

Credentials reach the tools through libpq's environment variables (``PGPASSWORD``...), never
on a command line another user could read.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from sprocket.backup.errors import BackupCode, BackupError

#: Where Debian and Ubuntu install each major version's client tools.
DEBIAN_BIN = "/usr/lib/postgresql/{major}/bin"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
#: libpq's names of the SSL modes asyncpg's ``ssl`` query parameter takes.
_SSL = {"true": "require", "false": "disable"}


def libpq_environment(url: str) -> dict[str, str]:
    """The process environment plus libpq's ``PG*`` variables naming the database of the
    SQLAlchemy ``url`` (``postgresql+asyncpg://user:password@host:port/name?ssl=require``)."""
    parsed = make_url(url)
    env = dict(os.environ)
    values = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    ssl = parsed.query.get("sslmode") or parsed.query.get("ssl")
    if isinstance(ssl, str):
        values["PGSSLMODE"] = _SSL.get(ssl.lower(), ssl)
    env.update({name: value for name, value in values.items() if value})
    return env


def database_url(url: str, database: str) -> str:
    """``url`` naming another database of the same server."""
    parsed: URL = make_url(url).set(database=database)
    return parsed.render_as_string(hide_password=False)


def _major_of(tool: str) -> int | None:
    try:
        done = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    found = _VERSION.search(done.stdout)
    return int(found.group(1)) if found else None


def find_tool(name: str, *, major: int, bin_dir: Path | None = None) -> str:
    """The path of PostgreSQL's ``name`` (``pg_dump``, ``pg_restore``) of major version
    ``major``: in ``bin_dir`` when given, else Debian's folder of that version, else on the
    PATH. Raises BACKUP_TOOL_MISSING when none of that version is found."""
    candidates = (
        [str(bin_dir / name)]
        if bin_dir
        else [str(Path(DEBIAN_BIN.format(major=major)) / name), shutil.which(name)]
    )
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _major_of(candidate) == major:
            return candidate
    where = f"in {bin_dir}" if bin_dir else f"in {DEBIAN_BIN.format(major=major)} or on the PATH"
    raise BackupError(
        f"{name} of PostgreSQL {major} (the server's major version) is not installed {where}; "
        "install PostgreSQL's client tools of that version or set SPROCKET_BACKUP_PG_BIN_DIR.",
        code=BackupCode.BACKUP_TOOL_MISSING,
    )


async def run_tool(arguments: list[str], *, env: dict[str, str]) -> None:
    """Run a PostgreSQL tool; raises BACKUP_TOOL_FAILED quoting the end of its error output
    when it exits with another status than 0."""
    process = await asyncio.create_subprocess_exec(
        *arguments,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, error = await process.communicate()
    if process.returncode != 0:
        message = error.decode(errors="replace").strip()[-800:] or f"exit {process.returncode}"
        raise BackupError(
            f"{Path(arguments[0]).name} failed: {message}", code=BackupCode.BACKUP_TOOL_FAILED
        )


async def dump(url: str, dest: Path, *, snapshot: str, major: int, bin_dir: Path | None) -> None:
    """Write the database of ``url`` to ``dest`` in pg_dump's custom format, as seen by the
    exported ``snapshot`` (a transaction kept open by the caller, whose census then counts
    exactly the rows dumped)."""
    tool = find_tool("pg_dump", major=major, bin_dir=bin_dir)
    await run_tool(
        [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"],
        env=libpq_environment(url),
    )


async def restore(url: str, source: Path, *, major: int, bin_dir: Path | None) -> None:
    """Load the custom-format dump ``source`` into the (emptied) database of ``url`` in one
    transaction: all of it or nothing. Owners and grants are the connecting role's."""
    tool = find_tool("pg_restore", major=major, bin_dir=bin_dir)
    await run_tool(
        [
            tool,
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={make_url(url).database}",
            str(source),
        ],
        env=libpq_environment(url),
    )
