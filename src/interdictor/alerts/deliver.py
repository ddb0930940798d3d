"""The deliverer: fan new events out, send what is due, retry with exponential backoff, give up as dead.

One pass (``Deliverer.run_pass``): new outbox events become deliveries (``store.events.fan_out``), due
deliveries are leased and sent concurrently — webhooks with httpx, e-mail over SMTP — and each try
is logged.  A failed try is retried after ``base × 2^tries`` seconds (at most ``cap``); after
``attempts`` tries the delivery is dead (``interdictor alerts retry`` revives it).  Delivery is
at-least-once: a receiver de-duplicates on the event ``id``.

``DeliveryThread`` runs passes in a thread with its own event loop, so a receiver that is down,
slow or failing never holds up screening or the API: they only ever write an outbox row.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from interdictor.alerts.sign import SIGNATURE_HEADER, sign
from interdictor.settings import Settings
from interdictor.store import alerts, events
from interdictor.store.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    attempts: int = 8  # tries before a delivery is dead
    base: float = 2.0  # seconds before the first retry; doubled each time
    cap: float = 3600.0  # longest wait between tries
    timeout: float = 15.0  # seconds a receiver has to answer one try
    batch: int = 100  # deliveries leased per pass
    concurrency: int = 16  # sends in flight at once
    poll: float = 1.0  # seconds between passes when idle

    def retry_at(self, tries: int, now: datetime) -> datetime | None:
        """When to try again after ``tries`` failed tries (None: that was the last)."""
        if tries >= self.attempts:
            return None
        return now + timedelta(seconds=min(self.cap, self.base * 2 ** (tries - 1)))


@dataclass
class PassSummary:
    fanned: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0

    def add(self, other: PassSummary) -> None:
        for k in ("fanned", "sent", "delivered", "failed", "dead"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None


class Deliverer:
    def __init__(self, store: Store, settings: Settings, policy: DeliveryPolicy | None = None) -> None:
        self.store = store
        self.settings = settings
        self.policy = policy or DeliveryPolicy()

    # -------------------------------------------------------------- the store's side (in a worker thread)

    def _fan_out(self) -> int:
        with self.store.begin() as conn:
            return events.fan_out(conn, limit=self.policy.batch * 5)

    def _claim(self, limit: int) -> list[dict[str, Any]]:
        lease = self.policy.timeout * 2 + 30  # a dead deliverer's lease runs out; a live one finishes well within
        with self.store.begin() as conn:
            return alerts.claim_due(conn, limit=limit, lease=lease)

    def _record(self, d: dict[str, Any], out: Outcome, ms: int) -> str:
        tries = int(d["attempts"]) + 1
        retry = None if out.ok else self.policy.retry_at(tries, datetime.now(UTC))
        with self.store.begin() as conn:
            return alerts.record_attempt(conn, d["delivery_id"], ok=out.ok, status_code=out.status_code,
                                         error=out.error, ms=ms, retry_at=retry)

    # -------------------------------------------------------------- sending

    async def _webhook(self, client: httpx.AsyncClient, d: dict[str, Any]) -> Outcome:
        payload = d["body"].encode()
        headers = {"Content-Type": "application/json", "User-Agent": "interdictor-alerts",
                   "X-Interdictor-Event": d["event"], "X-Interdictor-Delivery": d["event_id"]}
        if d.get("secret"):
            headers[SIGNATURE_HEADER] = sign(d["secret"], payload)
        try:
            r = await client.post(d["target"], content=payload, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}".strip())
        if 200 <= r.status_code < 300:
            return Outcome(True, r.status_code)
        return Outcome(False, r.status_code, f"HTTP {r.status_code}: {r.text[:200]}")

    def _email(self, d: dict[str, Any]) -> Outcome:
        u = urlsplit(self.settings.smtp_url)
        msg = EmailMessage()
        msg["From"] = self.settings.alert_from
        msg["To"] = d["target"]
        msg["Subject"] = f"Interdictor {d['event']} {d['event_id']}"
        msg["X-Interdictor-Event"] = d["event"]
        msg["X-Interdictor-Delivery"] = d["event_id"]
        msg.set_content(json.dumps(json.loads(d["body"]), indent=2, ensure_ascii=False))
        try:
            host, port = u.hostname or "127.0.0.1", u.port
            smtp: smtplib.SMTP
            if u.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(host, port or 465, timeout=self.policy.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port or 25, timeout=self.policy.timeout)
            with smtp:
                if u.scheme == "smtp+starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if u.username:
                    smtp.login(unquote(u.username), unquote(u.password or ""))
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}".strip())
        return Outcome(True, 250)

    async def _send(self, client: httpx.AsyncClient, d: dict[str, Any], summary: PassSummary) -> None:
        t0 = time.perf_counter()
        if d["channel"] == "email":
            out = await asyncio.to_thread(self._email, d)
        else:
            out = await self._webhook(client, d)
        ms = int((time.perf_counter() - t0) * 1000)
        status = await asyncio.to_thread(self._record, d, out, ms)
        summary.sent += 1
        summary.delivered += out.ok
        summary.failed += not out.ok
        summary.dead += status == "dead"
        if not out.ok:
            log.info("delivery %s of %s to %s failed (%s)", d["delivery_id"], d["event_id"], d["target"], out.error)

    async def run_pass(self, client: httpx.AsyncClient | None = None) -> PassSummary:
        """Fan out what is new and send what is due, once."""
        summary = PassSummary(fanned=await asyncio.to_thread(self._fan_out))
        due = await asyncio.to_thread(self._claim, self.policy.batch)
        if due:
            gate = asyncio.Semaphore(self.policy.concurrency)

            async def send(d: dict[str, Any], c: httpx.AsyncClient) -> None:
                async with gate:
                    await self._send(c, d, summary)

            own = client is None
            client = client or httpx.AsyncClient(timeout=self.policy.timeout, follow_redirects=False)
            try:
                await asyncio.gather(*(send(d, client) for d in due))
            finally:
                if own:
                    await client.aclose()
        return summary

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> PassSummary:
        """Deliver until ``stop`` is set.  Sends run as tasks of their own (at most ``concurrency`` at once):
        one slow receiver holds its own deliveries, never the fan-out or the sends of the others.  With
        nothing new, wait ``poll`` seconds, or until ``wake`` is set or a send ends."""
        total = PassSummary()
        inflight: set[asyncio.Task[None]] = set()
        async with httpx.AsyncClient(timeout=self.policy.timeout, follow_redirects=False) as client:
            while not stop.is_set():
                busy = False
                try:
                    fanned = await asyncio.to_thread(self._fan_out)
                    total.fanned += fanned
                    free = self.policy.concurrency - len(inflight)
                    due = await asyncio.to_thread(self._claim, free) if free > 0 else []
                    for d in due:
                        task = asyncio.create_task(self._send(client, d, total))
                        inflight.add(task)
                        task.add_done_callback(inflight.discard)
                    busy = bool(fanned or due)
                except Exception:  # the store is away for a moment: try again after a pause, never die
                    log.exception("an alert delivery pass failed")
                if busy:
                    continue
                waiters: set[asyncio.Future[Any]] = {asyncio.ensure_future(stop.wait())}
                if wake is not None:
                    waiters.add(asyncio.ensure_future(wake.wait()))
                await asyncio.wait(waiters | set(inflight), timeout=self.policy.poll,
                                   return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()
                if wake is not None:
                    wake.clear()
            if inflight:  # each ends within the timeout; what is cut short is sent again when its lease runs out
                await asyncio.wait(set(inflight), timeout=self.policy.timeout + 1)
        return total


def deliver_once(store: Store, settings: Settings, policy: DeliveryPolicy | None = None,
                 until_idle: bool = False) -> PassSummary:
    """One pass over what is due (``until_idle``: passes until a pass finds nothing to do)."""
    d = Deliverer(store, settings, policy)
    total = PassSummary()

    async def go() -> None:
        async with httpx.AsyncClient(timeout=d.policy.timeout) as client:
            while True:
                done = await d.run_pass(client)
                total.add(done)
                if not until_idle or not (done.fanned or done.sent):
                    return

    asyncio.run(go())
    return total


@dataclass
class DeliveryThread:
    """A deliverer in a daemon thread of its own, with its own event loop."""

    store: Store
    settings: Settings
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _wake: asyncio.Event | None = None
    _ready: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="interdictor-alerts", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._stop, self._wake = asyncio.Event(), asyncio.Event()
        self._ready.set()
        try:
            loop.run_until_complete(Deliverer(self.store, self.settings, self.policy).run(self._stop, self._wake))
        finally:
            with contextlib.suppress(Exception):
                loop.close()

    def wake(self) -> None:
        """Something was emitted: look now rather than at the next poll."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._wake.set)

    def stop(self, wait: float = 5.0) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(wait)
