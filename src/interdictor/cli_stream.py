"""``interdictor worker``, ``publish`` and ``answers``: streaming intake on NATS JetStream."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from interdictor.cli_common import err, fail
from interdictor.settings import Settings


def worker(
    batch: Annotated[int, typer.Option(help="Messages fetched and screened together.", min=1, max=1000)] = 100,
    ack_wait: Annotated[float, typer.Option(help="Seconds before an unacknowledged message goes to another worker.")] = 30.0,
    idle_exit: Annotated[float | None, typer.Option(help="Stop after this many seconds without a message (default: run until stopped).")] = None,
    nats_url: Annotated[str | None, typer.Option(help="NATS server (default INTERDICTOR_NATS_URL).")] = None,
    db: Annotated[str | None, typer.Option(help="Database URL (default: INTERDICTOR_DATABASE_URL or the embedded file).")] = None,
) -> None:
    """Consume partner messages from interdictor.intake.<partner>.<format>: parse, screen, store, answer.

    Start as many as you like; they share one durable consumer. Stop with Ctrl-C (messages in flight
    are redelivered to another worker).
    """
    from interdictor.screening import AssemblyError
    from interdictor.store.db import StoreError
    from interdictor.stream.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    update = {k: v for k, v in {"database_url": db, "nats_url": nats_url}.items() if v}
    settings = settings.model_copy(update=update)
    err.print(f"worker: {settings.nats_url} → {settings.resolved_database_url()}", highlight=False)
    try:
        stats = asyncio.run(run_worker(settings, batch=batch, ack_wait=ack_wait, idle_exit=idle_exit))
    except OSError as exc:
        raise fail(f"cannot reach NATS at {settings.nats_url}: {exc}") from exc
    except (AssemblyError, StoreError) as exc:  # a setting or configuration file that cannot be used
        raise fail(str(exc)) from exc
    err.print(f"worker stopped: {stats.by_status}", highlight=False)


def publish(
    files: Annotated[list[Path], typer.Argument(help="Message files; each file is one message (or use --lines).")],
    partner: Annotated[str, typer.Option(help="Your partner name (the subject token).")],
    fmt: Annotated[str, typer.Option("--format", help="Format token of the subject; 'auto' lets the worker detect it.")] = "auto",
    lines: Annotated[bool, typer.Option(help="Publish each non-empty line of the files as its own message (JSON Lines).")] = False,
    nats_url: Annotated[str | None, typer.Option(help="NATS server (default INTERDICTOR_NATS_URL).")] = None,
) -> None:
    """Publish partner messages to the intake stream (what a partner's system does)."""
    from interdictor.stream.publish import publish as do_publish

    url = nats_url or Settings().nats_url
    messages: list[bytes] = []
    for f in files:
        if not f.is_file():
            raise fail(f"{f}: no such file")
        data = f.read_bytes()
        messages.extend([ln for ln in data.splitlines() if ln.strip()] if lines else [data])
    try:
        from interdictor.stream.subjects import Names

        n = asyncio.run(do_publish(url, partner, messages, fmt, Names(Settings().stream_namespace)))
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from exc
    err.print(f"published {n:,} message(s) on {Settings().stream_namespace}.intake.{partner}.{fmt}")


def answers(
    partner: Annotated[str, typer.Option(help="Partner whose answers to read.")],
    limit: Annotated[int | None, typer.Option(help="At most this many answers.")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for more answers.")] = 5.0,
    nats_url: Annotated[str | None, typer.Option(help="NATS server (default INTERDICTOR_NATS_URL).")] = None,
) -> None:
    """Print the answers published for a partner (JSON, one per line)."""
    from interdictor.stream.publish import read_answers

    url = nats_url or Settings().nats_url
    try:
        from interdictor.stream.subjects import Names

        got = asyncio.run(read_answers(url, partner, limit, wait, Names(Settings().stream_namespace)))
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot reach NATS at {url}: {exc}")
        raise typer.Exit(2) from exc
    for a in got:
        typer.echo(json.dumps(a, ensure_ascii=False))
    err.print(f"{len(got):,} answer(s)")


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(publish)
    app.command()(answers)
