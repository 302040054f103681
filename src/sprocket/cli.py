"""The `sprocket` command: serve, worker, periodic, migrate, demo, token, schema, replay,
ratings, backup, doctor, discord."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import sys
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from sprocket.config import Settings, load_settings
from sprocket.logs import configure_logging, log
from sprocket.metrics import MULTIPROCESS_DIR

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from sprocket.identity.access import Actor
    from sprocket.league.models import Organization

    #: Work done as an organization's staff member: the sentence of what was done.
    Act = Callable[[AsyncSession, Actor, Organization], Awaitable[str]]

app = typer.Typer(
    help="Sprocket: run competitive Rocket League leagues.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
T = TypeVar("T")


def _settings(**overrides: object) -> Settings:
    # Every domain's tables, so the ORM resolves foreign keys across domains in commands that
    # do not build the app (`worker` flushing a submission refers to `users`, say).
    import sprocket.models  # noqa: F401

    settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    configure_logging(fmt=settings.log_format, level=settings.log_level)
    if settings.resolved_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _migrate(settings: Settings, revision: str = "head") -> None:
    from sprocket.migrate import upgrade

    upgrade(settings.resolved_database_url, revision)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Create the demo organization first, if missing.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="API processes on this port (use the number of cores); more than one needs"
            " the shared cache (Redis) and broker (RabbitMQ).",
        ),
    ] = 1,
) -> None:
    """Run the platform: API, jobs (embedded broker) and outbox relay, in one process or
    ``--workers`` processes sharing the port."""
    import uvicorn

    from sprocket.errors import DomainError
    from sprocket.runtime import require_shared_services

    settings = _settings(host=host, port=port)
    try:
        require_shared_services(settings, processes=workers)
    except DomainError as error:
        console.print(f"[red]{error.message}[/]")
        raise typer.Exit(2) from None
    _migrate(settings)
    if demo:
        asyncio.run(_load_demo(settings))
        if "graphql_ide" not in settings.model_fields_set:  # the demo shows its console
            settings = settings.model_copy(update={"graphql_ide": True})
        if "dev_sign_in" not in settings.model_fields_set:  # and lets you pick a user
            settings = settings.model_copy(update={"dev_sign_in": True})
    url = settings.public_url or f"http://{settings.host}:{settings.port}"
    console.print(f"[bold green]Sprocket[/] is starting: open [link={url}]{url}[/link]")
    where = f"{url}/graphql" if settings.graphql_ide else f"{url}/schema.graphql (schema)"
    console.print(f"GraphQL: {where}   (database: {_redact(settings)})")
    options = dict(
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # The client's address comes from trusted proxies only (SPROCKET_TRUSTED_PROXIES,
        # applied by the app), never from whoever connects from this host.
        proxy_headers=False,
        ws_max_size=settings.max_body_bytes,
        # Live pages hold their event streams open: a stop waits this long (seconds) for
        # them, then closes them.
        timeout_graceful_shutdown=5,
        # With --workers, how long a process may take to start and to answer the supervisor's
        # ping before it is replaced: starting takes seconds on a busy machine.
        timeout_worker_healthcheck=60,
    )
    if workers == 1:
        from sprocket.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    _share_with_processes(settings)
    with contextlib.ExitStack() as scope:
        if not os.environ.get(MULTIPROCESS_DIR):  # an operator's choice (a tmpfs) stays
            metrics = scope.enter_context(tempfile.TemporaryDirectory(prefix="sprocket-metrics-"))
            os.environ[MULTIPROCESS_DIR] = metrics  # before any process imports the metrics
        uvicorn.run("sprocket.app:app_from_environment", factory=True, workers=workers, **options)


def _share_with_processes(settings: Settings) -> None:
    """Hand the command line's choices to the processes uvicorn starts, which read their
    settings from the environment (where the environment wins over files)."""
    for name in ("host", "port", "graphql_ide", "dev_sign_in"):
        os.environ[f"SPROCKET_{name.upper()}"] = str(getattr(settings, name)).lower()


@app.command()
def worker() -> None:
    """Consume background jobs from the broker (production: API and workers apart)."""
    from sprocket.jobs import build_runtime
    from sprocket.platform.broker import run_worker

    settings = _settings()
    _publish_metrics(settings)

    async def main() -> None:
        runtime = build_runtime(settings)
        await runtime.start(relay=False, broker=False)  # the API processes relay
        stop = _stop_on_signals()
        log.info("worker.started", broker=settings.broker_url.split("@")[-1])
        try:
            await run_worker(runtime.broker, stop=stop)
        finally:
            await runtime.stop()

    asyncio.run(main())


def _publish_metrics(settings: Settings) -> None:
    """Answer Prometheus on ``metrics_port`` (all paths; none when it is 0), in a thread."""
    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port, addr=settings.host)
        log.info("metrics.published", host=settings.host, port=settings.metrics_port)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


@app.command()
def periodic(
    job: Annotated[
        list[str],
        typer.Option(
            "--job",
            help="NAME=EVERY:ARGUMENTS: run `sprocket ARGUMENTS` every EVERY (seconds, or 30m, "
            "1h, 1d), e.g. 'backup=1h:backup create'. Repeat for more jobs.",
        ),
    ],
    standby: Annotated[
        float, typer.Option(help="Seconds between tries to take the lock while standing by.")
    ] = 5.0,
) -> None:
    """Run periodic jobs (Swarm has no cron): one process of the deployment at a time leads,
    under a lock; the others stand by and take over when it stops."""
    from sprocket.platform.periodic import PeriodicRunner, lock_for, parse_job

    try:
        jobs = [parse_job(spec) for spec in job]
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--job") from None
    settings = _settings()
    _publish_metrics(settings)

    async def main() -> None:
        lock = lock_for(settings.resolved_database_url, settings.data_dir)
        runner = PeriodicRunner(
            jobs, lock=lock, program=[sys.executable, "-m", "sprocket"], standby=standby
        )
        log.info("periodic.started", jobs=[j.name for j in jobs])
        try:
            await runner.run(_stop_on_signals())
        finally:
            await lock.dispose()

    try:
        asyncio.run(main())
    except ValueError as error:  # two jobs of one name
        raise typer.BadParameter(str(error), param_hint="--job") from None


@app.command()
def migrate(
    revision: Annotated[str, typer.Option(help="Alembic revision to upgrade to.")] = "head",
) -> None:
    """Upgrade the database schema (Alembic)."""
    settings = _settings()
    _migrate(settings, revision)
    console.print(f"Database at revision [bold]{revision}[/]: {_redact(settings)}")


@app.command()
def demo() -> None:
    """Fill the database with the demo organization (safe to run again)."""
    settings = _settings()
    _migrate(settings)
    asyncio.run(_load_demo(settings))


async def _load_demo(settings: Settings) -> None:
    from sprocket.demo import build_demo
    from sprocket.jobs import build_runtime

    runtime = build_runtime(settings)
    try:
        async with runtime.unit_of_work() as session:
            result = await build_demo(session)
    finally:
        await runtime.stop()
    if not result.created:
        console.print("The demo organization is already there; nothing was added.")
        return
    console.print(
        f"Demo organization created: {result.players} players, {result.matches} matches "
        f"({result.played} played)."
    )
    console.print(f"Demo admin API token (shown once): [bold]{result.admin_token}[/]")


@app.command("token")
def token(
    discord_id: Annotated[str, typer.Option(help="The user's Discord id.")],
    name: Annotated[
        str | None,
        typer.Option(
            help="Display name: names a new user (default 'Admin'); renames an existing user "
            "only when given."
        ),
    ] = None,
    superuser: Annotated[bool, typer.Option(help="Make the user a platform admin.")] = False,
    days: Annotated[
        int | None,
        typer.Option(
            help="Lifetime in days (default: the setting token_days; at most token_max_days)."
        ),
    ] = None,
) -> None:
    """Create (or find) a user by Discord id and print a new personal API token."""
    from sprocket.identity import service as identity
    from sprocket.identity.access import Actor
    from sprocket.jobs import build_runtime

    settings = _settings()
    _migrate(settings)

    async def main() -> str:
        runtime = build_runtime(settings)
        try:
            async with runtime.unit_of_work() as session:
                user = await identity.ensure_user(
                    session,
                    discord_id=discord_id,
                    display_name=name,
                    name_if_new="Admin",
                    is_superuser=True if superuser else None,
                )
                actor = Actor(user_id=user.id, is_superuser=user.is_superuser)
                _, secret = await identity.issue_token(
                    session,
                    actor=actor,
                    name="cli",
                    days=settings.token_days if days is None else days,
                    max_days=settings.token_max_days,
                )
            return secret
        finally:
            await runtime.stop()

    from sprocket.errors import DomainError

    try:
        secret = asyncio.run(main())
    except DomainError as error:  # bad input is a sentence, not a stack trace
        console.print(f"[red]{error.message}[/]")
        raise typer.Exit(1) from None
    console.print(secret)


replay_app = typer.Typer(help="Read Rocket League replay files.", no_args_is_help=True)
app.add_typer(replay_app, name="replay")


@replay_app.command("inspect")
def replay_inspect(
    files: Annotated[list[Path], typer.Argument(help="Replay files to read.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """Parse and verify replays: a scoreboard per file, or JSON. Exit 1 if any file fails."""
    import json

    from sprocket.replays.inspect import inspect_file, scoreboard

    results = [inspect_file(path) for path in files]
    if as_json:
        # ASCII with \u escapes: the same valid JSON whatever the terminal's encoding.
        typer.echo(json.dumps(results, indent=2, ensure_ascii=True, allow_nan=False))
    else:
        for result in results:
            console.print(scoreboard(result, encoding=console.encoding))
    raise typer.Exit(0 if all(r["ok"] for r in results) else 1)


ratings_app = typer.Typer(help="Skill ratings.", no_args_is_help=True)
app.add_typer(ratings_app, name="ratings")


@ratings_app.command("recompute")
def ratings_recompute(
    organization: Annotated[
        str | None, typer.Option(help="Only this organization (its slug).")
    ] = None,
    mode: Annotated[str | None, typer.Option(help="Only this game mode (its code).")] = None,
) -> None:
    """Rebuild ratings and rating histories from every accepted game, in order."""
    from sprocket.errors import DomainError, NotFound
    from sprocket.flows import ratings as rating_flow
    from sprocket.jobs import build_runtime
    from sprocket.league import service as league
    from sprocket.ratings import service as ratings

    settings = _settings()
    _migrate(settings)

    async def main() -> list[str]:
        runtime = build_runtime(settings)
        try:
            async with runtime.unit_of_work() as session:
                org_id = mode_id = None
                if organization is not None:
                    found = await league.find_organization(session, slug=organization)
                    if found is None:
                        raise NotFound(f"There is no organization '{organization}'.")
                    org_id = found.id
                if mode is not None:
                    mode_id = await ratings.game_mode_id(session, mode)
                slugs = await league.organization_slugs(session)
                codes = await league.game_mode_codes(session)
                lines = []
                scopes = await ratings.rated_scopes(
                    session, organization_id=org_id, game_mode_id=mode_id
                )
                for scope_org, scope_mode in scopes:
                    done = await rating_flow.recompute(
                        session, organization_id=scope_org, game_mode_id=scope_mode
                    )
                    lines.append(
                        f"{slugs[scope_org]} / {codes[scope_mode]}: {done.games} games, "
                        f"{done.players} players rated, {done.points} rating points."
                    )
                return lines or ["Nothing to recompute: no league or rating matches."]
        finally:
            await runtime.stop()

    try:
        for line in asyncio.run(main()):
            console.print(line)
    except DomainError as error:
        console.print(f"[red]{error.message}[/]")
        raise typer.Exit(1) from None


@app.command("submit")
def submit(
    match_id: Annotated[int, typer.Argument(help="The scheduled match.")],
    files: Annotated[list[Path], typer.Argument(help="The series' replays, in game order.")],
    discord_id: Annotated[str, typer.Option(help="Discord id of the staff member submitting.")],
) -> None:
    """Submit a series' replays for a match, as a league staff member."""
    from sprocket.errors import DomainError
    from sprocket.flows import match_results
    from sprocket.identity import service as identity
    from sprocket.jobs import build_runtime
    from sprocket.replays import service as replays

    settings = _settings()
    uploads = []
    for path in files:
        try:
            uploads.append(replays.Upload(path.name, path.read_bytes()))
        except OSError as error:
            console.print(f"[red]{path}: the file cannot be read ({error.strerror}).[/]")
            raise typer.Exit(1) from None
    _migrate(settings)

    async def main() -> str:
        runtime = build_runtime(settings)
        await runtime.start(relay=True)
        try:
            async with runtime.unit_of_work() as session:
                submission = await match_results.submit_match_replays_as_staff(
                    session,
                    actor=await identity.actor_by_discord_id(session, discord_id=discord_id),
                    storage=runtime.storage,
                    match_id=match_id,
                    files=uploads,
                    max_size=settings.replay_max_bytes,
                )
            await runtime.relay.relay_once()
            return f"Submission {submission.id} for match {match_id}: {submission.status}."
        finally:
            await runtime.stop()

    try:
        console.print(asyncio.run(main()))
    except DomainError as error:
        console.print(f"[red]{error.message}[/]")
        raise typer.Exit(1) from None


discord_app = typer.Typer(
    help="The Discord door: servers and slash commands.", no_args_is_help=True
)
app.add_typer(discord_app, name="discord")


def _acting(organization: str, discord_id: str, act: Act) -> str:
    """Run ``act(session, actor, organization)`` in one unit of work as the user of
    ``discord_id``, for the organization with slug ``organization``; the sentence it returns.
    A refusal is printed in red and exits 1."""
    from sprocket.errors import DomainError, NotFound
    from sprocket.identity import service as identity
    from sprocket.jobs import build_runtime
    from sprocket.league import service as league

    settings = _settings()
    _migrate(settings)

    async def main() -> str:
        runtime = build_runtime(settings)
        try:
            async with runtime.unit_of_work() as session:
                actor = await identity.actor_by_discord_id(session, discord_id=discord_id)
                org = await league.find_organization(session, slug=organization)
                if org is None:
                    raise NotFound(f"There is no organization '{organization}'.")
                return await act(session, actor, org)
        finally:
            await runtime.stop()

    try:
        return asyncio.run(main())
    except DomainError as error:
        console.print(f"[red]{error.message}[/]")
        raise typer.Exit(1) from None


def _guild_link(organization: str, guild_id: str, discord_id: str, *, link: bool) -> str:
    """Link (or unlink) a Discord server to the organization with slug ``organization``, as
    the user of ``discord_id``; the sentence of what was done."""
    from sprocket.league import guilds

    async def act(session: AsyncSession, actor: Actor, org: Organization) -> str:
        arguments = {"actor": actor, "organization_id": org.id, "guild_id": guild_id}
        if link:
            await guilds.link_guild(session, **arguments)
            return f"Discord server {guild_id.strip()} now acts for {org.name}."
        await guilds.unlink_guild(session, **arguments)
        return f"Discord server {guild_id.strip()} no longer acts for {org.name}."

    return _acting(organization, discord_id, act)


DISCORD_ID = typer.Option(help="Discord id of the organization admin acting.")


@discord_app.command("link-guild")
def discord_link_guild(
    organization: Annotated[str, typer.Argument(help="The organization's slug.")],
    guild_id: Annotated[str, typer.Argument(help="The Discord server's id.")],
    discord_id: Annotated[str, DISCORD_ID],
) -> None:
    """Link a Discord server to an organization: commands used there act for it."""
    console.print(_guild_link(organization, guild_id, discord_id, link=True))


@discord_app.command("unlink-guild")
def discord_unlink_guild(
    organization: Annotated[str, typer.Argument(help="The organization's slug.")],
    guild_id: Annotated[str, typer.Argument(help="The Discord server's id.")],
    discord_id: Annotated[str, DISCORD_ID],
) -> None:
    """Unlink a Discord server from an organization."""
    console.print(_guild_link(organization, guild_id, discord_id, link=False))


@discord_app.command("sync-commands")
def discord_sync_commands() -> None:
    """Register the slash commands with Discord (its application id and bot token from the
    settings); commands no longer offered are removed."""
    import hikari

    from sprocket.discord.catalog import default_registry
    from sprocket.discord.rest import DiscordRest

    settings = _settings()
    if not settings.discord_application_id or not settings.discord_bot_token:
        console.print(
            "[red]Set SPROCKET_DISCORD_APPLICATION_ID and SPROCKET_DISCORD_BOT_TOKEN first.[/]"
        )
        raise typer.Exit(1)
    rest = DiscordRest(api_url=settings.discord_api_url, bot_token=settings.discord_bot_token)
    commands = list(default_registry().commands.values())
    try:
        names = asyncio.run(
            rest.register(application_id=settings.discord_application_id, commands=commands)
        )
    except hikari.HikariError as error:
        console.print(f"[red]Discord refused the commands: {error}[/]")
        raise typer.Exit(1) from None
    console.print(f"Registered {len(names)} commands: " + ", ".join(f"/{n}" for n in names))


@discord_app.command("sync")
def discord_sync(
    organization: Annotated[
        str | None, typer.Option("--org", help="Only this organization's servers (its slug).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Change nothing; report what would change.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Reconcile the synced roles and nicknames of every linked server (or one
    organization's) with the platform, and report each change and each member skipped."""
    import json

    from rich.markup import escape
    from rich.table import Table

    from sprocket.errors import DomainError, NotFound
    from sprocket.flows import role_sync
    from sprocket.jobs import build_runtime
    from sprocket.league import service as league
    from sprocket.platform.discord_rest import guild_members

    settings = _settings()
    if not settings.discord_bot_token:
        console.print("[red]Set SPROCKET_DISCORD_BOT_TOKEN first: role sync acts as the bot.[/]")
        raise typer.Exit(1)
    _migrate(settings)

    async def main() -> role_sync.SyncReport:
        runtime = build_runtime(settings)
        try:
            org_id = None
            if organization is not None:
                async with runtime.reading() as session:
                    org = await league.find_organization(session, slug=organization)
                if org is None:
                    raise NotFound(f"There is no organization '{organization}'.")
                org_id = org.id
            async with guild_members(
                api_url=settings.discord_api_url, bot_token=settings.discord_bot_token or ""
            ) as members:
                return await role_sync.sync_guilds(
                    reading=runtime.reading,
                    members=members,
                    organization_id=org_id,
                    dry_run=dry_run,
                )
        finally:
            await runtime.stop()

    try:
        report = asyncio.run(main())
    except DomainError as error:
        console.print(f"[red]{error.message}[/]")
        raise typer.Exit(1) from None
    if as_json:
        console.print_json(json.dumps(report.as_json()))
        return
    table = Table(title="Discord role sync" + (" (dry run: nothing changed)" if dry_run else ""))
    for column in ("Server", "Member", "User id", "Change", "Detail", "Outcome", "Why"):
        table.add_column(column)
    colours = {"done": "green", "planned": "cyan", "skipped": "yellow"}
    for line in report.lines:
        colour = colours.get(line.outcome.value, "red")
        table.add_row(
            line.guild_id,
            escape(line.member),
            line.user_id,
            line.action.value.replace("_", " "),
            escape(line.detail),
            f"[{colour}]{line.outcome.value}[/]",
            escape(line.reason),
        )
    if report.lines:
        console.print(table)
    counts = ", ".join(
        f"{report.count(outcome)} {outcome.value}" for outcome in role_sync.SyncOutcome
    )
    console.print(f"{report.guilds} servers, {report.members} members looked at: {counts}.")


@discord_app.command("roles")
def discord_roles_show(
    organization: Annotated[str, typer.Argument(help="The organization's slug.")],
    discord_id: Annotated[str, typer.Option(help="Discord id of a staff member reading.")],
) -> None:
    """Show which Discord roles each linked server syncs, and its nickname prefix switch."""
    from sprocket.league import discord_roles

    async def act(session: AsyncSession, actor: Actor, org: Organization) -> str:
        servers = await discord_roles.synced_roles(session, actor=actor, organization_id=org.id)
        if not servers:
            return f"{org.name} has linked no Discord server."
        lines = []
        for server in servers:
            prefix = "on" if server.nickname_prefix else "off"
            lines.append(f"Server {server.guild_id} (franchise tags in nicknames: {prefix})")
            lines += [
                f"  role {r.role_id}: {r.kind.value.replace('_', ' ')} {r.subject}"
                for r in server.roles
            ] or ["  no synced role"]
        return "\n".join(lines)

    console.print(_acting(organization, discord_id, act), markup=False)


@discord_app.command("sync-role")
def discord_sync_role(
    organization: Annotated[str, typer.Argument(help="The organization's slug.")],
    guild_id: Annotated[str, typer.Argument(help="The linked Discord server's id.")],
    role_id: Annotated[str, typer.Argument(help="The Discord role's id.")],
    kind: Annotated[str, typer.Argument(help="skill_group, team, franchise or rating_band.")],
    subject_id: Annotated[
        int,
        typer.Argument(help="The skill group's, team's or franchise's id; a band's game mode id."),
    ],
    discord_id: Annotated[str, DISCORD_ID],
    minimum: Annotated[
        int | None, typer.Option(help="A rating band's lowest displayed rating.")
    ] = None,
) -> None:
    """Have Sprocket sync a Discord role for a skill group, team, franchise or rating band."""
    from sprocket.league import discord_roles

    async def act(session: AsyncSession, actor: Actor, org: Organization) -> str:
        await discord_roles.sync_role(
            session,
            actor=actor,
            organization_id=org.id,
            guild_id=guild_id,
            role_id=role_id,
            kind=kind,
            subject_id=subject_id,
            minimum_rating=minimum,
        )
        return f"Role {role_id.strip()} is synced for that {kind.replace('_', ' ')}."

    console.print(_acting(organization, discord_id, act))


@discord_app.command("unsync-role")
def discord_unsync_role(
    organization: Annotated[str, typer.Argument(help="The organization's slug.")],
    guild_id: Annotated[str, typer.Argument(help="The linked Discord server's id.")],
    role_id: Annotated[str, typer.Argument(help="The Discord role's id.")],
    discord_id: Annotated[str, DISCORD_ID],
) -> None:
    """Stop syncing a Discord role (members keep it as it is)."""
    from sprocket.league import discord_roles

    async def act(session: AsyncSession, actor: Actor, org: Organization) -> str:
        await discord_roles.unsync_role(
            session, actor=actor, organization_id=org.id, guild_id=guild_id, role_id=role_id
        )
        return f"Role {role_id.strip()} is no longer synced."

    console.print(_acting(organization, discord_id, act))


@discord_app.command("nickname-prefix")
def discord_nickname_prefix(
    organization: Annotated[str, typer.Argument(help="The organization's slug.")],
    guild_id: Annotated[str, typer.Argument(help="The linked Discord server's id.")],
    switch: Annotated[str, typer.Argument(help="on or off.")],
    discord_id: Annotated[str, DISCORD_ID],
) -> None:
    """Turn franchise tags in nicknames ("[HAW] Chioma") on or off in a linked server."""
    from sprocket.league import discord_roles

    if switch not in ("on", "off"):
        console.print("[red]Say on or off.[/]")
        raise typer.Exit(1)

    async def act(session: AsyncSession, actor: Actor, org: Organization) -> str:
        await discord_roles.set_nickname_prefix(
            session,
            actor=actor,
            organization_id=org.id,
            guild_id=guild_id,
            enabled=switch == "on",
        )
        return f"Franchise tags in nicknames are {switch} in server {guild_id.strip()}."

    console.print(_acting(organization, discord_id, act), markup=False)


@app.command("schema")
def schema(
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = Path("schema.graphql"),
) -> None:
    """Export the GraphQL schema (SDL) to a file."""
    from sprocket.api.schema import schema_sdl

    output.write_text(schema_sdl())
    console.print(f"Wrote {output}")


@app.command("errors")
def errors(
    output: Annotated[Path, typer.Option(help="Where to write the catalogue.")] = Path(
        "docs/errors.md"
    ),
) -> None:
    """Write the error catalogue (every code, its meaning, where it arises) from the code."""
    from sprocket.catalogue import render

    output.write_text(render(), encoding="utf-8")
    console.print(f"Wrote {output}")


def _redact(settings: Settings) -> str:
    url = settings.resolved_database_url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('@')[-1]}"


def _tolerant_output() -> None:
    """Print what a terminal's encoding cannot show as escapes (``\\u03a9``), never fail:
    player names come from replay files, in any script."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


backup_app = typer.Typer(
    help="Backups that restore: the database and every stored object, with a manifest.",
    no_args_is_help=True,
)
app.add_typer(backup_app, name="backup")

WHERE = typer.Option(
    "--from", help="Backup location: a folder or s3://bucket/prefix (default: backup_url)."
)


def _or_exit(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``; a typed error is printed as its sentence (and code), exit status 1."""
    from rich.markup import escape

    from sprocket.errors import DomainError

    try:
        return asyncio.run(work)
    except DomainError as error:
        console.print(f"[red]{escape(error.message)}[/] ({error.code})")
        raise typer.Exit(1) from None


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@backup_app.command("create")
def backup_create(
    to: Annotated[
        str | None,
        typer.Option(help="A folder or s3://bucket/prefix (default: the setting backup_url)."),
    ] = None,
    if_due: Annotated[
        bool,
        typer.Option(
            "--if-due", help="Only when the newest backup is older than backup_interval_minutes."
        ),
    ] = False,
) -> None:
    """Back up the database and every stored object, then prune by the retention settings."""
    from sprocket.backup.service import create_backup

    done = _or_exit(create_backup(_settings(), to=to, if_due=if_due))
    if done is None:
        console.print("The newest backup is recent enough; none was due.")
        return
    manifest = done.manifest
    console.print(
        f"Backup [bold]{manifest.id}[/] in {done.location}: {manifest.rows} rows in "
        f"{len(manifest.tables)} tables, {len(manifest.objects)} objects, "
        f"{_megabytes(done.size)}, {done.seconds:.1f} s."
    )
    if done.pruned:
        console.print("Pruned by the retention settings: " + ", ".join(done.pruned))


@backup_app.command("list")
def backup_list(
    where: Annotated[str | None, WHERE] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List the complete backups, newest first, with their size and verification."""
    import json

    from rich.table import Table

    from sprocket.backup.service import list_backups

    listing = _or_exit(list_backups(_settings(), where=where))
    found = listing.backups
    if as_json:
        rows = [
            {
                "id": entry.id,
                "created_at": entry.created_at.isoformat(),
                "bytes": entry.size,
                "verified_at": entry.verified_at.isoformat() if entry.verified_at else None,
            }
            for entry in found
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("backup", "started (UTC)", "size", "verified (UTC)")
    for entry in found:
        verified = f"{entry.verified_at:%Y-%m-%d %H:%M}" if entry.verified_at else "never"
        table.add_row(
            entry.id, f"{entry.created_at:%Y-%m-%d %H:%M}", _megabytes(entry.size), verified
        )
    console.print(table if found else f"No backup yet in {listing.location}.")


@backup_app.command("verify")
def backup_verify(
    archive: Annotated[
        str | None, typer.Argument(help="The backup's id (default: the newest).")
    ] = None,
    where: Annotated[str | None, WHERE] = None,
) -> None:
    """Restore a backup into a scratch database and storage, compare row counts and
    checksums with its manifest, and record the verification beside it."""
    from sprocket.backup.service import verify_backup

    done = _or_exit(verify_backup(_settings(), backup_id=archive, where=where))
    manifest = done.manifest
    console.print(
        f"Backup [bold]{manifest.id}[/] verified: {manifest.rows} rows in "
        f"{len(manifest.tables)} tables and {len(manifest.objects)} objects match its "
        f"manifest ({done.seconds:.1f} s)."
    )


@backup_app.command("restore")
def backup_restore(
    archive: Annotated[str, typer.Argument(help="The backup's id, or 'latest'.")],
    where: Annotated[str | None, WHERE] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a database that holds data, write over storage."),
    ] = False,
) -> None:
    """Restore a backup into this deployment (an empty one, unless --force), then migrate
    its database to the code's newest revision. Stop the API and workers first."""
    from sprocket.backup.service import restore_backup

    done = _or_exit(restore_backup(_settings(), backup_id=archive, where=where, force=force))
    manifest = done.manifest
    migrated = f", then migrated to {done.migrated_to}" if done.migrated_to else ""
    console.print(
        f"Restored backup [bold]{manifest.id}[/] ({manifest.created_at:%Y-%m-%d %H:%M} UTC): "
        f"{manifest.rows} rows, {len(manifest.objects)} objects{migrated}, "
        f"{done.seconds:.1f} s."
    )


@app.command("doctor")
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """The morning checklist in seconds: database, broker, cache, storage, outbox, jobs,
    stuck submissions, overdue matches, backups, certificate. Exit 1 on any failed check."""
    import json

    from rich.markup import escape
    from rich.table import Table

    from sprocket.doctor.service import run_doctor

    report = asyncio.run(run_doctor(_settings()))
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        colours = {"ok": "green", "warn": "yellow", "fail": "red", "n/a": "dim"}
        table = Table("check", "status", "what it found", "s", title="Sprocket doctor")
        for check in report.checks:
            colour = colours[check.status.value]
            table.add_row(
                check.name,
                f"[{colour}]{check.status.value}[/]",
                escape(check.summary),
                f"{check.seconds:.2f}",
            )
        console.print(table)
        console.print(f"{report.status.value} in {report.seconds:.2f} s")
    raise typer.Exit(1 if report.status == "fail" else 0)


def main() -> None:
    _tolerant_output()
    app()
