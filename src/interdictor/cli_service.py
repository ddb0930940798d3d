"""``interdictor serve`` and the account commands: ``users``, ``orgs``, ``keys``.

The secret that hashes API keys and sessions is ``INTERDICTOR_SECRET_KEY`` or,
when unset, a key file created beside the embedded database on first use — the
commands here and the server must see the same one.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import AbstractContextManager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from interdictor.cli_common import db_settings, err, fail, store_connection
from interdictor.settings import Settings

users_app = typer.Typer(help="People who sign in to the workspace.", no_args_is_help=True)
orgs_app = typer.Typer(help="Organisations: partners, law-enforcement agencies, the targeting authority.",
                       no_args_is_help=True)
keys_app = typer.Typer(help="API keys for machines (a partner's systems, scripts).", no_args_is_help=True)

REQUEST_GRACE = 2  # seconds a stopping server waits for requests in flight (the writer then gets STOP_WAIT)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: INTERDICTOR_DATABASE_URL or the "
                                                           "embedded SQLite file).")]


def _secret(settings: Settings) -> str:
    from interdictor.service.security import load_or_create_secret

    return settings.secret_key or load_or_create_secret(settings.data_dir)


def _conn(settings: Settings) -> AbstractContextManager[Connection]:
    from interdictor.service.accounts import AccountError

    return store_connection(settings, errors=(AccountError,))


def _password(given: str | None, username: str) -> str:
    from interdictor.service.security import password_problem

    pw = given or os.environ.get("INTERDICTOR_NEW_PASSWORD")
    if not pw:
        pw = typer.prompt(f"password for {username}", hide_input=True, confirmation_prompt=True)
    if why := password_problem(pw):
        raise fail(why)
    return pw


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: DbOption = None,
    log_level: Annotated[str, typer.Option(help="critical, error, warning, info or debug.")] = "info",
    secure_cookies: Annotated[bool | None, typer.Option("--secure-cookies/--no-secure-cookies",
                                                        help="Mark session cookies Secure (default: when the request "
                                                             "came over HTTPS, e.g. behind a TLS proxy).")] = None,
) -> None:
    """Run the HTTP API and the web workspace on the embedded database (or --db / INTERDICTOR_DATABASE_URL)."""
    import uvicorn

    from interdictor.screening import AssemblyError
    from interdictor.service.app import create_app
    from interdictor.store.db import StoreError

    settings = db_settings(db)
    err.print("loading reference data and opening the database…", highlight=False)
    try:
        app = create_app(settings, cookie_secure=secure_cookies)
    except (StoreError, AssemblyError) as exc:
        raise fail(str(exc)) from exc
    st = app.state.svc
    err.print(f"database: {st.store.safe_url} ({st.store.dialect}); rule set {st.screening.ruleset.label}",
              highlight=False)
    err.print(f"workspace: http://{host}:{port}/   API: http://{host}:{port}/api/v1   "
              f"OpenAPI: http://{host}:{port}/api/openapi.json", highlight=False)
    # on SIGTERM: requests in flight get REQUEST_GRACE seconds, then the writer's screening STOP_WAIT — the
    # process is gone within ~5 s, as an orchestrator expects, however long a submission would have taken
    # X-Forwarded-* are the app's to read, and only from INTERDICTOR_TRUSTED_PROXIES (uvicorn would trust 127.0.0.1)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False, access_log=log_level == "debug",
                timeout_graceful_shutdown=REQUEST_GRACE)
    busy = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if busy:  # a worker thread still reading an abandoned upload would hold the exit until it is done
        err.print(f"stopping with {len(busy)} worker thread(s) still busy; their requests were abandoned",
                  highlight=False)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@users_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="User name of the first administrator.")] = "admin",
    password: Annotated[str | None, typer.Option(help="Password (default: INTERDICTOR_NEW_PASSWORD or a prompt).")] = None,
    db: DbOption = None,
) -> None:
    """Create the first administrator (and the targeting authority's organisation)."""
    from interdictor.service import accounts

    settings = db_settings(db)
    pw = _password(password, username)
    with _conn(settings) as conn:
        accounts.ensure_authority(conn, "cli")
        accounts.create_user(conn, username, pw, "admin", accounts.AUTHORITY_ORG, "cli")
    err.print(f"administrator [bold]{username}[/] created; sign in at http://127.0.0.1:8000/login after "
              "[bold]interdictor serve[/]", highlight=False)


@users_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="admin, targeter, analyst, law_enforcement, partner or notifier.")],
    org: Annotated[str, typer.Option(help="Organisation id (authority for admin/targeter/analyst).")] = "authority",
    password: Annotated[str | None, typer.Option(help="Password (default: INTERDICTOR_NEW_PASSWORD or a prompt).")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    db: DbOption = None,
) -> None:
    """Add a person who signs in to the workspace."""
    from interdictor.service import accounts

    settings = db_settings(db)
    pw = _password(password, username)
    with _conn(settings) as conn:
        if org == accounts.AUTHORITY_ORG:
            accounts.ensure_authority(conn, "cli")
        accounts.create_user(conn, username, pw, role, org, "cli", name)
    err.print(f"user [bold]{username}[/] ({role}, {org}) created", highlight=False)


@users_app.command("list")
def list_users(db: DbOption = None) -> None:
    """List users."""
    from interdictor.service import accounts

    with _conn(db_settings(db)) as conn:
        rows = accounts.list_users(conn)
    table = Table(title="users")
    for col in ("username", "role", "org", "active"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["username"], r["role"], r["org_id"], "yes" if r["active"] else "no")
    Console().print(table)


@orgs_app.command("add")
def add_org(
    org_id: Annotated[str, typer.Argument(help="Short id, lower case (e.g. acme-express).")],
    name: Annotated[str, typer.Option(help="Full name.")],
    kind: Annotated[str, typer.Option(help="partner, law_enforcement, authority or export_authority.")] = "partner",
    partner_code: Annotated[str | None, typer.Option(help="Filer code on its shipments (default: the org id).")] = None,
    corridor: Annotated[list[str] | None, typer.Option(help="Grant a corridor (law enforcement; repeatable).")] = None,
    db: DbOption = None,
) -> None:
    """Add an organisation; law-enforcement organisations see only the corridors granted with --corridor."""
    from interdictor.screening.assembly import choose_corridors
    from interdictor.service import accounts

    settings = db_settings(db)
    cfg = choose_corridors(None, settings)
    for c in corridor or []:
        try:
            cfg.get(c)
        except KeyError as exc:
            raise fail(str(exc.args[0])) from exc
    with _conn(settings) as conn:
        accounts.create_org(conn, org_id, name, kind, partner_code, "cli")
        for c in corridor or []:
            accounts.grant(conn, org_id, c, "cli")
    err.print(f"organisation [bold]{org_id}[/] ({kind}) created", highlight=False)


@orgs_app.command("grant")
def grant(org_id: Annotated[str, typer.Argument(help="Organisation id.")],
          corridor: Annotated[str, typer.Argument(help="Corridor name (see: interdictor corridors).")],
          db: DbOption = None) -> None:
    """Grant an organisation (law enforcement) a corridor."""
    from interdictor.service import accounts

    with _conn(db_settings(db)) as conn:
        accounts.grant(conn, org_id, corridor, "cli")
    err.print(f"{org_id} may now read corridor {corridor}", highlight=False)


@keys_app.command("create")
def create_key(
    org: Annotated[str, typer.Option(help="Organisation the key acts for.")],
    role: Annotated[str, typer.Option(help="Role of the key (partner for a partner's systems).")] = "partner",
    name: Annotated[str, typer.Option(help="What the key is for.")] = "api",
    db: DbOption = None,
) -> None:
    """Create an API key; it is printed once (stdout) and stored only as a keyed hash."""
    from interdictor.service import accounts

    settings = db_settings(db)
    with _conn(settings) as conn:
        key = accounts.create_api_key(conn, _secret(settings), org, role, name, "cli")
    err.print(f"API key for {org} ({role}); send it as 'Authorization: Bearer <key>'. It is not shown again:",
              highlight=False)
    typer.echo(key)


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key id (the part after 'idk_').")],
               db: DbOption = None) -> None:
    """Revoke an API key."""
    from interdictor.service import accounts

    with _conn(db_settings(db)) as conn:
        if not accounts.revoke_api_key(conn, key_id, "cli"):
            raise fail(f"no active key {key_id}")
    err.print(f"key {key_id} revoked", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``users``, ``orgs`` and ``keys`` to the main command line."""
    app.command()(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(orgs_app, name="orgs")
    app.add_typer(keys_app, name="keys")
