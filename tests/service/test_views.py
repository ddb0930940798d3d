"""What a person reads in the workspace and the console: times, reasons in brief, ports, yields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from interdictor.service.views import brief_evidence, brief_reason, port_name, utc_time, wilson_interval

LICENCE = ("4-Piperidone (CAS 41661-47-6) (US List I (with its acetals, amides, carbamates and salts) since "
           "2023-05-12 (88 FR 21902), UN 1988 Convention Table I since 2024 (CND-67 decision of March 2024)) "
           "needs DEA Form 486 filed by a registered importer before arrival; none is on record for consignee "
           "'Redwood Forwarding Inc'")
NAME = ("description '4,4-Piperidinediol hydrochloride crystal powder' is 4-Piperidone (CAS 41661-47-6), a listed "
        "precursor; US List I (with its acetals, amides, carbamates and salts) since 2023-05-12 (88 FR 21902), UK "
        "Category 1 drug precursor (UK Home Office precursor list); leads to NPP, ANPP, 4-AP, Norfentanyl; matched "
        "synonym '4,4-piperidinediol hydrochloride'")
DIES = ("description 'UPPER AND LOWER PUNCH' is tablet punches and dies (tooling) — punches, dies and press parts are "
        "regulated; matched words 'upper and lower punch'")


@pytest.mark.parametrize(("evidence", "kept", "dropped"), [
    (LICENCE, ["4-Piperidone", "CAS 41661-47-6", "DEA Form 486"], ["88 FR", "Convention", "acetals"]),
    (NAME, ["'4,4-Piperidinediol hydrochloride crystal powder' is 4-Piperidone", "matched synonym"],
     ["List I", "leads to", "Home Office"]),
    (DIES, ["'UPPER AND LOWER PUNCH' is tablet punches and dies (tooling)", "matched words 'upper and lower punch'"],
     ["regulated"]),
    ("consignee in San Diego, CA is 4 km from the US–Mexico border (located by postal code)",
     ["San Diego, CA is 4 km", "(located by postal code)"], []),
])
def test_brief_evidence_keeps_what_matched_and_drops_the_citations(evidence: str, kept: list[str],
                                                                   dropped: list[str]) -> None:
    brief = brief_evidence(evidence)
    assert len(brief) <= 110
    for part in kept:
        assert part in brief, (part, brief)
    for part in dropped:
        assert part not in brief, (part, brief)


def test_a_brief_reason_names_the_item_from_one_and_the_party() -> None:
    assert brief_reason({"code": "GOODS_CAS_MATCH", "item": 0, "evidence": NAME}).startswith("GOODS_CAS_MATCH item 1: ")
    assert brief_reason({"code": "ROUTE_X", "party": "consignee", "evidence": "x"}) == "ROUTE_X consignee: x"
    assert brief_reason({"code": "ROUTE_X", "evidence": None}) == "ROUTE_X"


@pytest.mark.parametrize(("raw", "shown"), [
    ("2720", "LAX Los Angeles International Airport · CBP 2720"),
    ("LAX", "LAX Los Angeles International Airport · CBP 2720"),
    ("lax ", "LAX Los Angeles International Airport · CBP 2720"),
    ("USSAN", "SAN San Diego · CBP 2501"),  # the airport code where there is one
    ("USLAX", "USLAX Los Angeles (sea) · CBP 2704"),
    ("2506", "Otay Mesa · CBP 2506"),  # a land port: no airport code
    ("ONT", "ONT Ontario"),  # an airport without a CBP number in our table
    ("9999", "CBP 9999"),
    ("", "— (no port of entry filed)"),
    (None, "— (no port of entry filed)"),
    ("QQQ", "— (unknown port QQQ)"),
])
def test_one_form_for_a_port_however_it_was_filed(raw: str | None, shown: str) -> None:
    assert str(port_name(raw)) == shown


@pytest.mark.parametrize(("value", "shown"), [
    ("2026-06-01T08:05:03.123456", "2026-06-01 08:05 UTC"),
    ("2026-06-01T08:05:03Z", "2026-06-01 08:05 UTC"),
    ("2026-06-01T10:05:03+02:00", "2026-06-01 08:05 UTC"),
    (datetime(2026, 6, 1, 8, 5, 3, 999, tzinfo=UTC), "2026-06-01 08:05 UTC"),
    (datetime(2026, 6, 1, 3, 5, tzinfo=timezone(timedelta(hours=-5))), "2026-06-01 08:05 UTC"),
    (None, ""),
    ("not a time", "not a time"),
])
def test_times_read_to_the_minute_in_utc(value: object, shown: str) -> None:
    assert utc_time(value) == shown


@pytest.mark.parametrize(("hits", "n", "low", "high"), [
    (1, 1, 0.2065, 1.0),  # one seizure in one exam is not "100 %"
    (0, 10, 0.0, 0.2775),
    (5, 20, 0.1119, 0.4687),
    (50, 100, 0.4038, 0.5962),
])
def test_wilson_interval(hits: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(hits, n)
    assert got is not None
    assert got[0] == pytest.approx(low, abs=1e-4) and got[1] == pytest.approx(high, abs=1e-4)
    assert got[0] <= hits / n <= got[1]


def test_no_interval_without_exams() -> None:
    assert wilson_interval(0, 0) is None
