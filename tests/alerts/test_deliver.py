"""The deliverer: at-least-once with the event id, through a receiver that dies and comes back and a
deliverer that restarts; retries with backoff, then dead; e-mail over SMTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.alerts.receiver import Receiver, wait_until

from interdictor.alerts import DeliveryPolicy, DeliveryThread, deliver_once, verify
from interdictor.service import accounts
from interdictor.service.sharing import subscribe
from interdictor.settings import Settings
from interdictor.store import alerts, events, open_store
from interdictor.store.db import Store

FAST = DeliveryPolicy(base=0.05, cap=0.4, poll=0.05, timeout=1.0, attempts=60, batch=20)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'alerts.sqlite'}")
    with s.begin() as conn:
        accounts.ensure_authority(conn, "test")
        accounts.create_org(conn, "acme", "Acme Express", "partner", None, "test")
    yield s
    s.close()


def settings(tmp_path: Path, **kw: Any) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="k" * 48, **kw)


def emit_many(store: Store, n: int, event: str = "list.hit") -> list[str]:
    with store.begin() as conn:
        return [events.emit(conn, event, {"n": i, "internal": {"list": "OFAC SDN"}}, partner="acme",
                            shipment_id=f"S{i}", corridor="san-diego") for i in range(n)]


def delivered_ids(rec: Receiver, path: str = "/hook") -> list[str]:
    return [r.json["id"] for r in rec.on(path)]


def test_every_event_arrives_once_by_id_through_a_receiver_and_a_deliverer_that_restart(store: Store,
                                                                                     tmp_path: Path) -> None:
    n = 120
    rec = Receiver().start()
    with store.begin() as conn:
        subscribe(conn, "test", org_id="authority", url=rec.url(), email=None, events=["list.hit"],
                  secret="s" * 20)
    ids = emit_many(store, n // 2)
    d = DeliveryThread(store, settings(tmp_path), FAST)
    d.start()
    assert wait_until(lambda: len(delivered_ids(rec)) >= n // 6, timeout=20.0)
    rec.stop()  # the receiver dies midway; events keep coming
    ids += emit_many(store, n // 2)
    time.sleep(0.5)
    d.stop()  # and the deliverer restarts too: what it had not sent is still in the store
    with store.connect() as conn:
        assert alerts.counts(conn).get("pending", 0) > 0
    rec.start()
    d = DeliveryThread(store, settings(tmp_path), FAST)
    d.start()
    try:
        assert wait_until(lambda: set(delivered_ids(rec)) == set(ids), timeout=20.0), "not every event was delivered"
    finally:
        d.stop()
        rec.stop()
    got = delivered_ids(rec)
    assert len(set(got)) == n and set(got) == set(ids)
    with store.connect() as conn:
        assert alerts.counts(conn) == {"delivered": n}
        failed = [r for r in alerts.delivery_log(conn, limit=1000) if r["attempts"] > 1]
    assert failed, "the receiver's death left no failed try in the log"
    assert all(verify("s" * 20, r.body, r.headers["x-interdictor-signature"]) for r in rec.got)


def test_retries_back_off_then_the_delivery_is_dead(store: Store, tmp_path: Path) -> None:
    rec = Receiver(status=500).start()
    with store.begin() as conn:
        subscribe(conn, "test", org_id="authority", url=rec.url(), email=None, events=["list.hit"], secret=None)
    emit_many(store, 1)
    policy = DeliveryPolicy(base=0.2, cap=10, attempts=3, timeout=1)
    tries = []
    for _ in range(12):
        deliver_once(store, settings(tmp_path), policy)
        with store.connect() as conn:
            row = alerts.delivery_log(conn)[0]
        tries.append((row["attempts"], row["status"], datetime.now(UTC)))
        if row["status"] == "dead":
            break
        time.sleep(0.1)
    rec.stop()
    assert tries[-1][:2] == (3, "dead")
    assert rec.started == 3
    first_fail = next(t for t in tries if t[0] == 1)[2]
    second = next(t for t in tries if t[0] == 2)[2]
    third = next(t for t in tries if t[0] == 3)[2]
    assert (second - first_fail).total_seconds() >= 0.15  # base
    assert (third - second).total_seconds() >= 0.35  # base × 2
    with store.begin() as conn:
        assert alerts.retry_dead(conn, "test") == 1
        assert alerts.counts(conn) == {"pending": 1}


def test_a_partner_never_hears_of_a_list_hit(store: Store, tmp_path: Path) -> None:
    rec = Receiver().start()
    with store.begin() as conn:
        subscribe(conn, "test", org_id="acme", url=rec.url(), email=None, events=["list.hit"], secret=None)
    emit_many(store, 3)
    done = deliver_once(store, settings(tmp_path), FAST, until_idle=True)
    rec.stop()
    assert done.fanned == 3 and done.sent == 0 and rec.started == 0


def test_alerts_by_email(store: Store, tmp_path: Path) -> None:
    aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd (a dev dependency) is not installed")
    from tests.alerts.receiver import free_port

    got: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            got.append(envelope)
            return "250 OK"

    port = free_port()
    smtp = aiosmtpd.Controller(Handler(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with store.begin() as conn:
            subscribe(conn, "test", org_id="authority", url=None, email="duty@authority.example",
                      events=["list.hit"], secret=None)
        ids = emit_many(store, 2)
        s = settings(tmp_path, smtp_url=f"smtp://127.0.0.1:{port}", alert_from="alerts@interdictor.example")
        done = deliver_once(store, s, FAST, until_idle=True)
    finally:
        smtp.stop()
    assert done.delivered == 2
    assert [e.rcpt_tos for e in got] == [["duty@authority.example"]] * 2
    text = b"".join(e.content for e in got).decode()
    assert all(i in text for i in ids) and "alerts@interdictor.example" in text


def test_an_unreachable_mail_server_is_a_failed_try_not_a_crash(store: Store, tmp_path: Path) -> None:
    from tests.alerts.receiver import free_port

    with store.begin() as conn:
        subscribe(conn, "test", org_id="authority", url=None, email="duty@authority.example",
                  events=["list.hit"], secret=None)
    emit_many(store, 1)
    done = deliver_once(store, settings(tmp_path, smtp_url=f"smtp://127.0.0.1:{free_port()}"), FAST)
    assert done.failed == 1
    with store.connect() as conn:
        row = alerts.delivery_log(conn)[0]
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]
