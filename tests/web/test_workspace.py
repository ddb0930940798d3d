"""The web workspace in a real browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import Site, shot, sign_in

pytestmark = pytest.mark.browser


def stat(page: Any, name: str) -> int:
    return int(page.locator(f"[data-stat={name}]").inner_text().strip())


def test_targeter_works_the_queue_and_the_dashboard_changes(site: Site, page: Any) -> None:
    sign_in(page, site, "tina")
    page.goto(f"{site.url}/rules")
    found_before = stat(page, "found")
    examined_before = stat(page, "examined")

    page.goto(f"{site.url}/queue?corridor=san-diego&day=2026-11-27")  # the sample's filing day
    rows = page.locator("table[data-nav] tbody tr")
    assert rows.count() >= 1
    top = rows.first
    assert top.locator("ul.reasons li").count() >= 1  # each shipment shows its reasons
    reason = top.locator("ul.reasons details").first
    assert not reason.locator("p.evidence").is_visible()  # in brief until opened
    reason.locator("summary").click()
    assert reason.locator("p.evidence").is_visible()
    assert "/queue" in page.url  # opening a reason does not open the shipment
    shot(page, "queue")
    top_code = top.locator("ul.reasons li code").first.inner_text().strip()
    top.locator("a").first.click()
    page.wait_for_url(re.compile(r"/shipments/"))
    assert page.locator("h1").inner_text().startswith("Shipment ")
    assert page.locator("svg.map").count() == 1 and page.locator("svg.map circle").count() >= 2
    assert page.locator("svg.map path.land").count() >= 2  # countries under the route
    labels = [page.locator("svg.map text.lbl").nth(i).bounding_box() for i in range(page.locator("svg.map text.lbl").count())]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert a and b and not (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
                                    and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]), (a, b)

    page.check("input[name=decision][value=exam]")
    page.fill("#reason", "top of the queue: token value for 80 kg to a border warehouse")
    page.click("form[aria-label=Decision] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "decision recorded: exam" in page.locator(".flash").inner_text()

    page.check("input[name=result][value=seized]")
    page.fill("#what", "NPP (N-phenethyl-4-piperidone) in a keyboard carton")
    page.fill("#quantity", "25 kg")  # a slip: the form comes back with it, and says why
    page.fill("#unit", "kg")
    page.click("form[aria-label=Outcome] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#outcome-quantity-error").is_visible()
    assert page.input_value("#what") == "NPP (N-phenethyl-4-piperidone) in a keyboard carton"
    assert page.is_checked("input[name=result][value=seized]")
    page.locator("form[aria-label=Outcome]").scroll_into_view_if_needed()
    shot(page, "outcome-form-error")
    page.fill("#quantity", "25")
    page.click("form[aria-label=Outcome] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "outcome recorded: seized" in page.locator(".flash").inner_text()
    assert "NPP" in page.locator("ul.timeline").inner_text()
    shot(page, "shipment")

    page.goto(f"{site.url}/rules")
    assert stat(page, "found") == found_before + 1
    assert stat(page, "examined") == examined_before + 1
    row = page.locator(f"#rule-table tr[data-code='{top_code}']")
    assert int(row.locator("td.found").inner_text()) >= 1
    assert page.locator("svg.chart").count() >= 3
    row = page.locator(f"#rule-table tr[data-code='{top_code}']")
    assert "few" in (row.get_attribute("class") or "") and "%" in row.locator("td.yield").inner_text()
    shot(page, "rules")


def test_queue_is_keyboard_usable(site: Site, page: Any) -> None:
    sign_in(page, site, "tina")
    page.goto(f"{site.url}/queue?corridor=san-diego&day=2026-11-27")  # the sample's filing day
    page.locator("body").focus()
    page.keyboard.press("j")
    selected = page.locator("tr.sel")
    assert selected.count() == 1
    target = selected.get_attribute("data-href")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(target or "/none")))


def test_linked_parties_view(site: Site, page: Any) -> None:
    sign_in(page, site, "tina")
    page.goto(f"{site.url}/shipments/acme/EX100001/links")
    assert page.locator("svg.graph").count() == 1
    assert page.locator("svg.graph g.legend").is_visible()
    assert "GEX100001" in page.content()  # the other partner's copy shares every party detail
    shot(page, "links")


def test_partner_home_is_its_own_shipments_and_answers(site: Site, page: Any) -> None:
    sign_in(page, site, "acme-ops")
    assert page.url.endswith("/answers")
    rows = page.locator("#answers tbody tr[data-answer]")
    assert rows.count() >= 5
    assert page.locator("#answers tr[data-href$='/EX100004'] .tag.answer").inner_text() == "request for information"
    assert "GEX" not in page.content() and "score" not in page.content().lower()
    shot(page, "partner-home")


def test_partner_sees_only_its_own_referrals(site: Site, page: Any) -> None:
    sign_in(page, site, "acme-ops")
    page.goto(f"{site.url}/referrals")
    cards = page.locator("article.referral")
    assert cards.count() >= 1  # its request for information (and a hold if the targeter test ran first)
    assert "EX100004" in page.locator("main").inner_text()
    assert "GEX" not in page.content()  # the other partner's referral is never listed
    assert "score" not in page.content().lower()
    shot(page, "partner-referrals")
    rfi = page.locator("article.referral", has=page.locator("input[name=f_consignee_phone]")).first
    rfi.locator("input[name=f_consignee_phone]").fill("+1 619 555 0100")
    rfi.locator("form.respond button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "answer sent" in page.locator(".flash").inner_text()
    r = page.goto(f"{site.url}/shipments/globex/GEX100003")
    assert r is not None and r.status == 404
    assert page.goto(f"{site.url}/queue").status == 403  # type: ignore[union-attr]


def test_queue_pages_keep_the_filters(site: Site, page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from interdictor.service import web_pages

    monkeypatch.setattr(web_pages, "QUEUE_PAGE", 2)  # the server runs in this process: small pages, few rows
    sign_in(page, site, "tina")
    page.goto(f"{site.url}/queue?corridor=los-angeles&day=2026-11-27")  # the sample's filing day
    first = page.locator("table[data-nav] tbody tr").first.get_attribute("data-href")
    assert page.locator("nav.pager").first.is_visible()
    page.locator("nav.pager a[rel=next]").first.click()
    page.wait_for_load_state("networkidle")
    assert "page=2" in page.url and "corridor=los-angeles" in page.url and "day=" in page.url
    assert page.locator("table[data-nav] tbody tr").first.get_attribute("data-href") != first
    shot(page, "queue-pages")


def test_network_view_draws_the_backtrack_and_clicks_through(site: Site, page: Any) -> None:
    sign_in(page, site, "tina")
    page.goto(f"{site.url}/shipments/acme/EX100001")
    page.click("#network-link")
    page.wait_for_url(re.compile(r"/shipments/acme/EX100001/network"))
    graph = page.locator("svg.network")
    assert graph.is_visible() and graph.locator("g.legend").is_visible()
    start = graph.locator("a.ship.start circle")
    assert "center" in (start.get_attribute("class") or "")
    other = graph.locator("a.ship[data-key='globex/GEX100001'] circle")  # the other partner's copy, one hop out
    assert other.is_visible()
    a, b = start.bounding_box(), other.bounding_box()
    assert a and b and (a["x"], a["y"]) != (b["x"], b["y"])
    rows = page.locator("#network-table tbody tr[data-href]")
    assert rows.count() >= 1 and "/shipments/globex/GEX100001" in [
        rows.nth(i).get_attribute("data-href") for i in range(rows.count())]
    shot(page, "network")
    other.click()
    page.wait_for_url(re.compile(r"/shipments/globex/GEX100001$"))
    assert page.locator("h1").inner_text().startswith("Shipment GEX100001")


def test_a_partner_has_no_network_view(site: Site, page: Any) -> None:
    sign_in(page, site, "acme-ops")
    page.goto(f"{site.url}/shipments/acme/EX100001")
    assert page.locator("#network-link").count() == 0 and "/network" not in page.content()
    r = page.goto(f"{site.url}/shipments/acme/EX100001/network")
    assert r is not None and r.status == 403
    assert "GEX100001" not in page.content()
