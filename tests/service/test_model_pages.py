"""The workspace shows the risk model beside the rules — the queue (its points per shipment), the shipment
page (the version that screened it, its points and probability) and rule performance (the active version,
its validation, its yield beside the rules') — and never to a partner, on a page or through the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.learn.test_loop import planted

from interdictor.learn.loop import CODE, train_model
from interdictor.store import models

from .conftest import SAMPLE, Svc, login

DAY = "2026-11-27"


def presses(prefix: str) -> bytes:
    """The sample with every shipment sent by 'Bad Co' describing tablet presses (what the planted model learned)."""
    header, *lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    cols = header.split(",")
    out = [header]
    for line in lines:
        cells = line.split(",")
        cells[0] = prefix + cells[0]
        cells[cols.index("shipper_name")] = "BAD CO"
        cells[cols.index("item_description")] = "TABLET PRESSES PARTS"
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode()


@pytest.fixture(scope="module")
def version(svc: Svc) -> int:
    """Model pages before a model is active, then a model trained and activated, and shipments it screened."""
    st = svc.app.state.svc
    c = TestClient(svc.app)
    login(c, "tina")
    assert 'data-model="none"' in c.get(f"/queue?corridor=los-angeles&day={DAY}").text
    assert "Rules alone: no risk model screened it" in c.get("/shipments/acme/EX100001").text
    with st.write() as conn:
        v = models.add_model(conn, "test", train_model(planted()), active=True)
    assert svc.submit("acme", presses("P")).status_code == 200
    return v


def test_the_queue_shows_the_models_points_beside_the_score(svc: Svc, version: int) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    html = c.get(f"/queue?corridor=los-angeles&day={DAY}").text
    assert f'data-model="{version}"' in html and f"risk model v{version}" in html
    rows = re.findall(r'<tr data-href="/shipments/acme/(PEX\d+)".*?<td class="model">(.*?)</td>', html, re.S)
    assert rows, html
    weights = [float(m.group(1)) for _, cell in rows if (m := re.search(r'data-model-weight="([\d.]+)"', cell))]
    assert weights and all(5 <= w <= 60 for w in weights)
    assert any(f"% likely · v{version}" in cell for _, cell in rows)
    api = svc.client.get(f"/api/v1/queue?corridor=los-angeles&day={DAY}", headers=svc.h("targeter")).json()["items"]
    mine = [i for i in api if i["shipment_id"].startswith("PEX") and i["model_weight"] is not None]
    assert mine and all(i["model_version"] == version and 0 < i["model_probability"] <= 100 for i in mine)


def test_the_shipment_page_says_which_model_screened_it_and_what_it_added(svc: Svc, version: int) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    api = svc.client.get(f"/api/v1/queue?corridor=los-angeles&day={DAY}", headers=svc.h("targeter")).json()["items"]
    sid = next(i["shipment_id"] for i in api if i["shipment_id"].startswith("PEX") and i["model_weight"] is not None)
    html = c.get(f"/shipments/acme/{sid}").text
    assert re.search(rf"Risk model v{version}: <strong>\+\d+</strong> points \(\d+ % likely to be found\)", html)
    assert f"<code>{CODE}</code>" in html
    old = c.get("/shipments/acme/EX100001").text  # screened before the model: still says rules alone
    assert "Rules alone: no risk model screened it" in old


def test_rule_performance_shows_the_model_beside_the_rules(svc: Svc, version: int) -> None:
    c = TestClient(svc.app)
    login(c, "ana")
    html = c.get("/rules?days=366").text
    assert f'data-active-model="{version}"' in html
    row = re.search(rf'<table class="list compact" id="model-yield">.*?<tr data-code="{CODE}"><td>risk model.*?'
                    r"<td>(\d+)</td>", html, re.S)
    assert row is not None and int(row.group(1)) >= 1  # the shipments it gave points to
    assert re.search(rf'<tr data-code="{CODE}"[^>]*><td><code>{CODE}</code> <span class="tag">risk model</span>',
                     html)


def test_a_partner_never_sees_the_model(svc: Svc, version: int) -> None:
    api = svc.client.get(f"/api/v1/queue?corridor=los-angeles&day={DAY}", headers=svc.h("targeter")).json()["items"]
    sid = next(i["shipment_id"] for i in api if i["shipment_id"].startswith("PEX") and i["model_weight"] is not None)
    c = TestClient(svc.app)
    login(c, "acme-ops")
    pages = [c.get(f"/shipments/acme/{sid}").text, c.get("/answers").text]
    said = svc.client.get(f"/api/v1/shipments/acme/{sid}", headers=svc.h("acme")).text
    for text in (*pages, said):
        assert CODE not in text and "risk model" not in text.lower() and "likely to be found" not in text
    assert sid in pages[0] and sid in said  # the partner does read its own shipment
    assert c.get("/rules").status_code in (303, 403) and c.get("/queue").status_code in (303, 403)
    assert svc.client.get(f"/api/v1/queue?corridor=los-angeles&day={DAY}", headers=svc.h("acme")).status_code == 403
