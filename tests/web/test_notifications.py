"""Pre-notified trade in the workspace, in a real browser: an export authority lists its own notifications,
opens one and withdraws it; a targeter sees every authority's; a partner gets no such page."""

from __future__ import annotations

from typing import Any

import pytest

from interdictor.service import accounts, notices

from .conftest import PASSWORD, Site, shot, sign_in

pytestmark = pytest.mark.browser

ROWS = [
    {"reference": "PEN-IN-0042", "exporter": "Gujarat Fine Chemicals Pvt. Ltd.", "exporter_country": "IN",
     "importer": "Acme Pharmaceuticals, Inc.", "importer_country": "US", "goods": "npp", "quantity": 50.0,
     "unit": "kg", "port": "LAX"},
    {"reference": "PEN-IN-0043", "exporter": "Gujarat Fine Chemicals Pvt. Ltd.", "exporter_country": "IN",
     "importer": "Midwest Labs LLC", "importer_country": "US", "goods": "4ap", "quantity": 20.0, "unit": "kg",
     "port": None},
]


@pytest.fixture(scope="module")
def notified(site: Site) -> None:
    from datetime import date

    st = site.app.state.svc
    with st.store.begin() as conn:
        for org in ("in-ncb", "de-bopst"):
            accounts.create_org(conn, org, org.upper(), "export_authority", None, "test")
        accounts.create_user(conn, "nina", PASSWORD, "notifier", "in-ncb", "test", "Nina Notifier")
        window = {"arrival_from": date(2026, 11, 20), "arrival_to": date(2026, 12, 20)}
        notices.store_rows(conn, "in-ncb", [{**r, **window} for r in ROWS], "test", "test")
        notices.store_rows(conn, "de-bopst", [{**ROWS[0], **window, "reference": "DE-77", "exporter": "Rheinchemie GmbH",
                                               "exporter_country": "DE"}], "test", "test")
    st.reload_registry()


def test_an_authority_lists_opens_and_withdraws_its_own(site: Site, page: Any, notified: None) -> None:
    sign_in(page, site, "nina")
    assert page.url.endswith("/notifications")  # an export authority starts on its notifications
    rows = page.locator("table[aria-label=Notifications] tbody tr")
    assert sorted(rows.nth(i).get_attribute("data-reference") for i in range(rows.count())) == ["PEN-IN-0042",
                                                                                                 "PEN-IN-0043"]
    assert "DE-77" not in page.content()
    assert [a.inner_text() for a in page.locator("header nav a").all()] == ["Notifications"]
    shot(page, "notifications")
    page.locator("tr[data-reference='PEN-IN-0042'] a").click()
    page.wait_for_url("**/notifications/in-ncb/PEN-IN-0042")
    assert "Acme Pharmaceuticals, Inc." in page.locator("dl.facts").inner_text()
    assert "50 kg" in page.locator("dl.facts").inner_text()
    page.click("form[aria-label=Withdraw] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "notification withdrawn" in page.locator(".flash").inner_text()
    assert "withdrawn" in page.locator("h1 .tag").inner_text()
    assert page.locator("form[aria-label=Withdraw]").count() == 0
    response = page.goto(f"{site.url}/notifications/de-bopst/DE-77")
    assert response is not None and response.status == 404  # another authority's is not found


def test_a_targeter_sees_every_authority_and_a_partner_none(site: Site, page: Any, notified: None) -> None:
    sign_in(page, site, "tina")
    page.goto(f"{site.url}/notifications")
    refs = page.locator("table[aria-label=Notifications] tbody tr")
    assert {refs.nth(i).get_attribute("data-reference") for i in range(refs.count())} >= {"PEN-IN-0043", "DE-77"}
    page.select_option("select[name=status]", "open")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    shown = page.locator("table[aria-label=Notifications] tbody tr")
    assert shown.count() >= 1 and all(shown.nth(i).get_attribute("class") == "status-open" for i in range(shown.count()))
    page.goto(f"{site.url}/notifications/in-ncb/PEN-IN-0043")
    assert page.locator("form[aria-label=Withdraw]").count() == 0  # only the authority withdraws
    assert "Notifications" in page.locator("header nav").inner_text()

    ctx = page.context
    ctx.clear_cookies()
    sign_in(page, site, "acme-ops")
    assert "Notifications" not in page.locator("header nav").inner_text()
    response = page.goto(f"{site.url}/notifications")
    assert response is not None and response.status == 403
