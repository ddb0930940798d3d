"""The workspace's Networks page in a real browser: from the menu to a community, to one of its shipments."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import Site, shot, sign_in

pytestmark = pytest.mark.browser


def test_a_targeter_opens_a_community_and_one_of_its_shipments(site: Site, page: Any) -> None:
    sign_in(page, site, "tina")
    page.click("nav >> text=Networks")
    page.wait_for_url(re.compile(r"/network/communities$"))
    largest = page.locator("section[aria-labelledby=largest] table tbody tr")
    assert largest.count() >= 1
    shot(page, "networks")
    largest.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/network/communities/C"))
    assert page.locator("h1").inner_text().startswith("Community C")
    shipments = page.locator("section[aria-labelledby=shipments] table tbody tr")
    partners = {shipments.nth(i).locator(".muted").inner_text() for i in range(shipments.count())}
    assert partners == {"acme", "globex"}  # the sample filed by both partners: one community across them
    shipments.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/shipments/"))
    assert page.locator("h1").inner_text().startswith("Shipment ")
