"""``interdictor alerts`` (subscriptions, the delivery log, delivery on demand) and ``interdictor watches``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from interdictor.cli_common import db_settings, err, fail, open_cli_store, store_connection

alerts_app = typer.Typer(help="Alerts pushed to organisations: incidents, referrals, watch and list hits.",
                         no_args_is_help=True)
watches_app = typer.Typer(help="Identifiers an organisation watches (a hit raises watch.hit).", no_args_is_help=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: INTERDICTOR_DATABASE_URL or the "
                                                           "embedded SQLite file).")]


@alerts_app.command("add")
def add(
    org: Annotated[str, typer.Option(help="The organisation pushed to.")],
    events: Annotated[str, typer.Option(help="Comma-separated: incident.created, referral.created, watch.hit, "
                                             "list.hit, notification.unmatched.")],
    url: Annotated[str | None, typer.Option(help="Webhook URL: each event is POSTed as JSON, signed.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address (sent through INTERDICTOR_SMTP_URL).")] = None,
    secret: Annotated[str | None, typer.Option(help="HMAC key of a webhook's X-Interdictor-Signature (default: "
                                                    "generated and printed once).")] = None,
    db: DbOption = None,
) -> None:
    """Subscribe an organisation to events, by webhook (--url) or e-mail (--email).

    The organisation receives what the sharing policy gives it: a partner only events about its own
    shipments (their identifiers and the non-nominal part), law enforcement its corridors' in whole.
    """
    from interdictor.service.sharing import SharingError, subscribe

    with store_connection(db_settings(db), errors=(SharingError,)) as conn:
        sid, key = subscribe(conn, "cli", org_id=org, url=url, email=email,
                             events=[e.strip() for e in events.split(",") if e.strip()], secret=secret)
    err.print(f"subscription {sid} for {escape(org)}: {escape(events)} → {escape(url or email or '')}",
              highlight=False)
    if key and not secret:
        err.print("the webhook's signing secret (not shown again):", highlight=False)
        typer.echo(key)


@alerts_app.command("list")
def list_(org: Annotated[str | None, typer.Option(help="Only this organisation's.")] = None,
          db: DbOption = None) -> None:
    """List subscriptions (secrets are never shown)."""
    from interdictor.store import alerts

    with store_connection(db_settings(db)) as conn:
        rows = alerts.list_subscriptions(conn, org)
    table = Table(title=f"{len(rows)} subscriptions")
    for col in ("id", "org", "channel", "target", "events", "active"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["subscription_id"], escape(r["org_id"]), r["channel"], escape(r["target"]),
                      ",".join(r["events"]), "yes" if r["active"] else "no")
    Console().print(table)


@alerts_app.command("log")
def log(org: Annotated[str | None, typer.Option(help="Only this organisation's deliveries.")] = None,
        status: Annotated[str | None, typer.Option(help="pending, delivered or dead.")] = None,
        limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1, max=1000)] = 50,
        db: DbOption = None) -> None:
    """The delivery log: each delivery's event, organisation, status, tries and last error."""
    from interdictor.store import alerts

    if status not in (None, "pending", "delivered", "dead"):
        raise fail("--status is pending, delivered or dead")
    with store_connection(db_settings(db)) as conn:
        rows = alerts.delivery_log(conn, org_id=org, status=status, limit=limit)
        counts = alerts.counts(conn)
    table = Table(title=", ".join(f"{v:,} {k}" for k, v in sorted(counts.items())) or "no deliveries")
    for col in ("event id", "event", "org", "share", "status", "tries", "last", "error"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["event_id"], r["event"], escape(r["org_id"]), r["share"], r["status"], str(r["attempts"]),
                      str(r["last_status_code"] or ""), escape((r["last_error"] or "")[:80]))
    Console().print(table)


@alerts_app.command("deliver")
def deliver(once: Annotated[bool, typer.Option("--once", help="One pass over what is due, then exit (cron, "
                                                                "tests); without it, run until stopped.")] = False,
            db: DbOption = None) -> None:
    """Send what is due: fan new events out to subscriptions, then deliver, retrying with backoff.

    serve and worker deliver in the background already; this runs a deliverer alone.
    """
    import asyncio
    import signal

    from interdictor.alerts import Deliverer, PassSummary, deliver_once
    settings = db_settings(db)
    store = open_cli_store(settings)
    try:
        if once:
            done = deliver_once(store, settings)
        else:
            async def run() -> PassSummary:
                stop = asyncio.Event()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    asyncio.get_running_loop().add_signal_handler(sig, stop.set)
                return await Deliverer(store, settings).run(stop)

            done = asyncio.run(run())
    finally:
        store.close()
    err.print(f"{done.fanned:,} events fanned out; {done.sent:,} sent: {done.delivered:,} delivered, "
              f"{done.failed:,} failed ({done.dead:,} now dead)", highlight=False)


@alerts_app.command("retry")
def retry(subscription: Annotated[str | None, typer.Option(help="Only this subscription's.")] = None,
          db: DbOption = None) -> None:
    """Send dead deliveries again (after a receiver was fixed)."""
    from interdictor.store import alerts

    with store_connection(db_settings(db)) as conn:
        n = alerts.retry_dead(conn, "cli", subscription)
    err.print(f"{n:,} dead deliveries are due again", highlight=False)


@watches_app.command("add")
def watch_add(
    org: Annotated[str, typer.Option(help="The organisation that watches.")],
    kind: Annotated[str, typer.Option(help="account, name, address, phone or email.")],
    value: Annotated[str, typer.Option(help="What to watch, as written anywhere (it is normalised).")],
    country: Annotated[str | None, typer.Option(help="Address: its country (ISO 3166 alpha-2).")] = None,
    postal_code: Annotated[str | None, typer.Option(help="Address: its postal code.")] = None,
    db: DbOption = None,
) -> None:
    """Watch an identifier for an organisation: a screened shipment it may see that touches it raises watch.hit."""
    from interdictor.store import watches
    from interdictor.store.accounts import get_org

    with store_connection(db_settings(db), errors=(watches.WatchError,)) as conn:
        if get_org(conn, org) is None:
            raise fail(f"no organisation {org!r}")
        w = watches.add_watch(conn, "cli", org, kind, value, country=country, postal_code=postal_code)
    err.print(f"{escape(org)} watches {kind} {escape(value)} (matched as {escape(w['key'])})", highlight=False)


@watches_app.command("list")
def watch_list(org: Annotated[str | None, typer.Option(help="Only this organisation's.")] = None,
               db: DbOption = None) -> None:
    """List watches."""
    from interdictor.store import watches

    with store_connection(db_settings(db)) as conn:
        rows = watches.list_watches(conn, org)
    table = Table(title=f"{len(rows)} watches")
    for col in ("id", "org", "kind", "value", "key"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["watch_id"], escape(r["org_id"]), r["kind"], escape(r["value"]), escape(r["key"]))
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``alerts`` and ``watches`` to the main command line."""
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(watches_app, name="watches")
