"""The workspace's pages as an officer and a partner read them (TestClient; the browser tests are in tests/web)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from interdictor.service import web_pages

from .conftest import Svc, login

RAW_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")  # seconds, microseconds or a bare ISO time


def _queue_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-href="/shipments/[^/]+/([^"]+)"', html)


def test_the_queue_pages_and_keeps_its_filters(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    whole = c.get("/queue?corridor=los-angeles&day=2026-11-27").text
    every = _queue_ids(whole)
    assert len(every) >= 3
    monkeypatch.setattr(web_pages, "QUEUE_PAGE", 2)
    first = c.get("/queue?corridor=los-angeles&day=2026-11-27")
    assert _queue_ids(first.text) == every[:2]
    assert f"Shipments 1–2 of {len(every)}" in first.text
    nxt = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert nxt is not None
    query = parse_qs(urlsplit(nxt.group(1).replace("&amp;", "&")).query)
    assert query["corridor"] == ["los-angeles"] and query["page"] == ["2"] and "day" in query
    second = c.get(nxt.group(1).replace("&amp;", "&"))
    assert _queue_ids(second.text) == every[2:4]
    picked = c.get("/queue?corridor=los-angeles&day=2026-11-27&open=true&page=1").text
    link = re.search(r'<a href="([^"]+)" rel="next">', picked)
    assert link is None or "open=true" in link.group(1)


def test_the_queue_shows_reasons_in_brief_with_the_full_evidence_at_hand(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    html = c.get("/queue?corridor=san-diego&day=2026-11-27").text
    items = re.findall(r'<li title="([^"]*)"><details><summary><code>([A-Z_]+)</code>(.*?)</summary>'
                       r'<p class="evidence">(.*?)</p>', html)
    assert items
    for title, _code, summary, full in items:
        assert title == full  # the whole evidence on hover and when opened
        assert len(re.sub(r"<[^>]+>", "", summary).strip()) <= 130


def test_ports_read_one_way(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    html = c.get("/queue?corridor=los-angeles&day=2026-11-27").text
    cells = re.findall(r'<td class="port">([^<]*)</td>', html)
    assert cells and all(cell == "LAX Los Angeles International Airport · CBP 2720" for cell in cells)
    assert '<option value="LAX" >LAX Los Angeles International Airport · CBP 2720</option>' in html


def test_a_shipment_numbers_items_from_one_and_times_to_the_minute_in_utc(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    html = c.get("/shipments/acme/EX100005").text
    items = html.split("<h2>Items</h2>", 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<tr><td>(\d+)</td>", items) == ["1", "2"]
    assert not RAW_TIME.search(html)
    assert re.search(r"<dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC</dd>", html)
    assert "LAX Los Angeles International Airport · CBP 2720" in html


def test_the_links_graph_has_a_legend(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    html = c.get("/shipments/acme/EX100001/links").text
    assert 'class="legend"' in html and "exam or hold recommended" in html and "shares 3 or more" in html


def test_rules_show_counts_and_an_interval_and_grey_out_a_handful_of_exams(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    token = c.get("/shipments/acme/EX100002").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert c.post("/shipments/acme/EX100002/decide", data={"csrf_token": token, "decision": "exam", "reason": "x"},
                  follow_redirects=False).status_code == 303
    assert c.post("/shipments/acme/EX100002/outcome", data={"csrf_token": token, "result": "seized", "what": "P2P"},
                  follow_redirects=False).status_code == 303
    html = c.get("/rules").text
    rows = re.findall(r'<tr data-code="([A-Z_]+)" class="few"[^>]*>(.*?)</tr>', html)
    resolved = [r for r in rows if "=" in r[1]]
    assert resolved, "a rule with one exam is greyed out"
    cell = re.search(r'<td class="yield">(.*?)</td>', resolved[0][1])
    assert cell is not None
    assert re.match(r"\d+/\d+ = \d+ % <span class=\"ci\">\(\d+–\d+ %\)</span>", cell.group(1))
    assert "few exams" in cell.group(1)
    assert "Hits" in html and "95 % Wilson interval" in html


def test_a_partners_home_is_its_own_shipments_and_their_answers(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "acme-ops")
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/answers"
    html = c.get("/answers").text
    table = html.split('id="answers"', 1)[1].split("</table>", 1)[0]
    answered = dict(re.findall(r'<tr data-href="/shipments/acme/([^"]+)" data-answer="([a-z_]+)"', table))
    assert set(answered) == {"EX100001", "EX100002", "EX100003", "EX100004", "EX100005"}
    assert set(answered.values()) <= {"accepted", "request_for_information", "hold_for_screening", "do_not_load"}
    # partner-safe: no other partner, no score, no internal rule code
    assert "GEX" not in html and "score" not in html.lower() and not re.search(r"\b(ROUTE|GOODS|VALUE)_[A-Z_]+", html)
    assert not RAW_TIME.search(html)
    assert c.get("/answers", headers={"accept": "text/html"}).status_code == 200


def test_officers_have_no_partner_home(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    assert c.get("/answers").status_code == 403


def test_the_networks_page_lists_communities_and_clicks_through_to_shipments(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    html = c.get("/network/communities").text
    assert "Largest" in html and "Riskiest" in html and 'href="/network/communities"' in html  # in the menu
    first = re.search(r'<a href="/network/communities/([^"]+)">', html)
    assert first is not None
    page = c.get(f"/network/communities/{first.group(1)}")
    assert page.status_code == 200 and f"Community {first.group(1)}" in page.text
    ships = re.findall(r'<a href="/shipments/([^/"]+)/([^"]+)">', page.text)
    assert {p for p, _ in ships} == {"acme", "globex"}
    assert c.get(f"/shipments/{ships[0][0]}/{ships[0][1]}").status_code == 200
    assert c.get("/network/communities/CNOPE").status_code == 404


def test_a_partner_has_no_networks_page(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "acme-ops")
    assert c.get("/network/communities").status_code == 403
    assert 'href="/network/communities"' not in c.get("/").text
