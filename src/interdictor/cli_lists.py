"""``interdictor lists``: import, update, inspect and dismiss against watchlists."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import Connection

from interdictor.cli_common import db_settings, err, fail, store_connection
from interdictor.settings import Settings

app = typer.Typer(
    help="Watchlists: import OFAC, OpenSanctions and custom lists as versions, fetch OFAC's files, show what "
    "changed, re-screen recent shipments against new entries, dismiss false matches.",
    no_args_is_help=True,
)
out = Console()

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: the embedded SQLite file).")
]
ActorOption = Annotated[str, typer.Option("--actor", help="Who does this (recorded in the audit log).")]


def _conn(db: str | None) -> AbstractContextManager[Connection]:
    return store_connection(db_settings(db))


def _report(conn: Connection, wl: Any, actor: str, rescreen_days: float) -> tuple[str, list[Any]]:
    """Save the list's new version and say what changed; (trigger, new hits) for ``_reassess``."""
    from interdictor.screening.loaders import rescreen
    from interdictor.store.watchlists import save_version

    for p in wl.problems[:10]:
        where = f"line {p.line}" if p.line else "file"
        err.print(
            f"[yellow]skipped[/] {where}{' field ' + p.field if p.field else ''}: {p.reason}", highlight=False
        )
    if len(wl.problems) > 10:
        err.print(f"[yellow]… and {len(wl.problems) - 10} more problems[/]")
    rep = save_version(conn, wl, actor)
    out.print(rep.line(), highlight=False)
    names = {e.uid: e.name for e in wl.entries}
    for label, uids in (("added", rep.diff.added), ("changed", rep.diff.changed)):
        for uid in uids[:10]:
            out.print(f"  {label}: {uid} {names.get(uid, '')}", highlight=False)
        if len(uids) > 10:
            out.print(f"  … {len(uids) - 10} more {label}")
    for uid in rep.diff.removed[:10]:
        out.print(f"  removed: {uid}", highlight=False)
    trigger = f"list:{wl.list_id}@{rep.version}"
    if rep.version is not None and rep.version > 1 and rescreen_days > 0:
        hits = rescreen(conn, wl.list_id, rep.version, rescreen_days, actor)
        out.print(
            f"re-screened the last {rescreen_days:g} days against the new entries: {len(hits)} new hit(s)"
        )
        for h in hits[:50]:
            out.print(
                f"  {h.partner}/{h.shipment_id} v{h.shipment_version} {h.party} {h.code}: {h.evidence}",
                highlight=False,
            )
        return trigger, hits
    return trigger, []


def _reassess(db: str | None, trigger: str, hits: list[Any]) -> None:
    """The live shipments with a new hit are assessed again with the new list version (its version now in the
    store), in a run recording the list update as its trigger; the queue and the answers follow."""
    if not hits:
        return
    import polars as pl

    from interdictor.screening import assemble
    from interdictor.screening.reassess import reassess
    from interdictor.store import open_store

    settings = db_settings(db)
    keys = pl.DataFrame([(h.partner, h.shipment_id) for h in hits], schema={"partner": pl.String,
                                                                            "shipment_id": pl.String}, orient="row")
    store = open_store(settings.resolved_database_url())
    try:
        done = reassess(store, assemble(settings, store), keys, trigger, days=settings.reassess_days)
    finally:
        store.close()
    out.print(f"assessed again: {done.live} live shipment(s) of {done.asked} with a new hit ({trigger})",
              highlight=False)


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="The list: a CSV, SDN.CSV (+ALT/ADD), SDN.XML, FtM JSON lines, or a "
            "folder holding OFAC's SDN.CSV, ALT.CSV and ADD.CSV."
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="ofac-csv, ofac-official, ofac-xml, ftm or custom (default: detected)."
        ),
    ] = None,
    list_id: Annotated[
        str | None,
        typer.Option(
            "--list-id", help="Id of the list (default: ofac-sdn, opensanctions, or the file's name)."
        ),
    ] = None,
    alt: Annotated[Path | None, typer.Option("--alt", help="OFAC ALT.CSV (aliases).")] = None,
    add: Annotated[Path | None, typer.Option("--add", help="OFAC ADD.CSV (addresses).")] = None,
    program: Annotated[
        list[str] | None,
        typer.Option(
            "--program", help="Programme for rows of a custom list that name none (repeatable), e.g. LOOKOUT."
        ),
    ] = None,
    rescreen_days: Annotated[
        float,
        typer.Option(
            "--rescreen-days",
            help="Re-screen this many days of stored shipments against new entries (0: off).",
        ),
    ] = 30,
    actor: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Import a list file as a new version and report what it added, removed and changed."""
    from interdictor.reference.watchlists import ListFormatError, read_list

    try:
        wl = read_list(file, fmt, list_id=list_id, alt=alt, add=add, programs=tuple(program or ()))
    except (ListFormatError, ValueError, OSError) as exc:
        raise fail(str(exc)) from exc
    if not wl.entries:
        raise fail(f"{file}: no usable entries ({len(wl.problems)} problems); nothing imported")
    with _conn(db) as conn:
        trigger, hits = _report(conn, wl, actor, rescreen_days)
    _reassess(db, trigger, hits)


@app.command()
def update(
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Where OFAC's files are published.")
    ] = None,
    dest: Annotated[
        Path | None, typer.Option("--dest", help="Download folder (default: <data dir>/watchlists).")
    ] = None,
    rescreen_days: Annotated[
        float,
        typer.Option(
            "--rescreen-days",
            help="Re-screen this many days of stored shipments against new entries (0: off).",
        ),
    ] = 30,
    actor: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Fetch OFAC's official SDN.CSV, ALT.CSV and ADD.CSV and import them as a new version of ofac-sdn."""
    from interdictor.reference.watchlists.fetch import OFAC_BASE, FetchError, fetch_ofac
    from interdictor.reference.watchlists.ofac import read_official

    root = dest or Settings().data_dir / "watchlists"
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=err,
        disable=not err.is_terminal,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done)

        try:
            folder = fetch_ofac(root, base_url or OFAC_BASE, progress=progress)
        except FetchError as exc:
            raise fail(str(exc)) from exc
    wl = read_official(folder / "SDN.CSV", folder / "ALT.CSV", folder / "ADD.CSV")
    if not wl.entries:
        raise fail(f"the files in {folder} hold no entries; nothing imported")
    with _conn(db) as conn:
        trigger, hits = _report(conn, wl, actor, rescreen_days)
    _reassess(db, trigger, hits)


@app.command()
def versions(
    list_id: Annotated[str | None, typer.Argument(help="Only this list.")] = None,
    db: DbOption = None,
) -> None:
    """Show every stored version of every list: when, from what, and what changed."""
    from interdictor.store.watchlists import versions as list_versions

    with _conn(db) as conn:
        rows = list_versions(conn, list_id)
    table = Table(title="Watchlist versions")
    table.add_column("list", no_wrap=True)
    for col in ("v", "imported", "by", "format", "entries", "+", "-", "~"):
        table.add_column(col, no_wrap=True)
    table.add_column("source", overflow="fold")
    for r in rows:
        table.add_row(
            r["list_id"],
            str(r["version"]),
            f"{r['imported_at']:%Y-%m-%d}",
            r["actor"],
            r["format"],
            str(r["entries"]),
            str(r["added"]),
            str(r["removed"]),
            str(r["changed"]),
            r["source"],
        )
    out.print(table)
    if not rows:
        out.print(
            "no list imported yet: the shipped list of designated and indicted precursor suppliers is used; "
            "`interdictor lists update` fetches OFAC's SDN list"
        )


@app.command()
def show(
    list_id: Annotated[str, typer.Argument(help="The list, e.g. ofac-sdn or curated-precursor-suppliers.")],
    uid: Annotated[str | None, typer.Argument(help="One entry.")] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Show what this version added and removed.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Show a list entry, or what a version of a list changed."""
    from interdictor.reference.watchlists import CURATED_LIST_ID, curated_list
    from interdictor.store.watchlists import (
        current_entries,
        entries_of_version,
        find_entry,
        removed_in_version,
    )

    with _conn(db) as conn:
        if version is not None:
            for e in entries_of_version(conn, list_id, version):
                out.print(f"added/changed {e.uid}: {e.name} [{'; '.join(e.programs)}]", highlight=False)
            for u in removed_in_version(conn, list_id, version):
                out.print(f"removed {u}", highlight=False)
            return
        entries = [find_entry(conn, list_id, uid)] if uid else current_entries(conn, [list_id])
    entries = [e for e in entries if e is not None]
    if not entries and list_id == CURATED_LIST_ID:
        entries = [e for e in curated_list().entries if uid is None or e.uid == uid]
    if not entries:
        raise fail(
            f"nothing found for {list_id}{' ' + uid if uid else ''}; see `interdictor lists versions`"
        )
    for e in entries[:200]:
        out.print(f"[bold]{e.uid}[/] {e.name} ({e.kind}) [{'; '.join(e.programs)}]", highlight=False)
        for a in e.aliases:
            out.print(f"    alias{' (weak)' if a.weak else ''}: {a.name}", highlight=False)
        for ad in e.addresses:
            out.print(f"    address: {ad.text()}", highlight=False)
        for p in (*e.phones, *e.emails):
            out.print(f"    contact: {p}", highlight=False)
    if len(entries) > 200:
        out.print(f"… {len(entries) - 200} more")


@app.command()
def match(
    name: Annotated[str, typer.Argument(help="A party name to screen.")],
    country: Annotated[str | None, typer.Option("--country", help="The party's country (ISO code).")] = None,
    db: DbOption = None,
) -> None:
    """Screen one name against the current lists and explain every hit."""
    from interdictor.screen.parties.list_reasons import grade, name_evidence
    from interdictor.screening.loaders import parties_part

    with _conn(db) as conn:
        part = parties_part(conn, Settings())
    hits = part.index.match_one(name)
    if not hits:
        out.print(f"no list entry matches '{name}'", highlight=False)
    for h in hits:
        graded = grade(h, part, country, False)
        if graded is None:
            continue
        code, note = graded
        out.print(f"{code}: {name_evidence('party', name, h, code, note, part)}", highlight=False)


@app.command()
def dismiss(
    list_id: Annotated[str, typer.Option("--list-id", help="The list of the entry.")],
    uid: Annotated[str, typer.Option("--uid", help="The entry the party is not.")],
    name: Annotated[str, typer.Option("--name", help="The party's name as filed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why this party is not that entry.")],
    actor: Annotated[str, typer.Option("--actor", help="Who dismisses (recorded in the audit log).")],
    address: Annotated[
        str | None, typer.Option("--address", help="The party's street address as filed.")
    ] = None,
    postal_code: Annotated[str | None, typer.Option("--postal-code")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO country code.")] = None,
    revoke_id: Annotated[
        int | None, typer.Option("--revoke", help="Revoke dismissal number N instead.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Dismiss a match (this party is not that entry); it stays quiet until the party or the entry changes."""
    from interdictor.screen.parties.dismissals import DismissalError, PartyRef
    from interdictor.store.parties import dismiss as do_dismiss
    from interdictor.store.parties import revoke

    with _conn(db) as conn:
        try:
            if revoke_id is not None:
                revoke(conn, revoke_id, actor, reason)
                out.print(f"dismissal {revoke_id} revoked")
                return
            new_id = do_dismiss(
                conn, PartyRef(name, address, postal_code, country), list_id, uid, reason, actor
            )
        except DismissalError as exc:
            raise fail(str(exc)) from exc
    out.print(
        f"dismissal {new_id}: '{name}' is not {list_id} {uid} (until the party or the entry changes)",
        highlight=False,
    )


@app.command()
def dismissals(
    all_: Annotated[bool, typer.Option("--all", help="Include revoked dismissals.")] = False,
    db: DbOption = None,
) -> None:
    """List dismissed matches."""
    from interdictor.store.parties import dismissals as list_dismissals

    with _conn(db) as conn:
        rows = list_dismissals(conn, active_only=not all_)
    for r in rows:
        revoked = f" (revoked {r['revoked_at']:%Y-%m-%d} by {r['revoked_by']})" if r["revoked_at"] else ""
        where = f" at {r['party_address']}" if r["party_address"] else ""
        out.print(
            f"{r['id']}: '{r['party_name']}'{where} is not {r['list_id']} {r['uid']} — {r['reason']} "
            f"({r['actor']}, {r['created_at']:%Y-%m-%d}){revoked}",
            highlight=False,
        )
    if not rows:
        out.print("no dismissals")
