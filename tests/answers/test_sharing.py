"""The sharing policy, case by case: who hears of which event, and which part of it."""

from __future__ import annotations

import pytest

from interdictor.answers.sharing import Event, Group, Recipient, cut, share_of

AUTHORITY = Recipient("authority", "authority")
TASK_FORCE = Recipient("sd-tf", "law_enforcement", corridors=frozenset({"san-diego"}))
OTHER_LE = Recipient("la-tf", "law_enforcement", corridors=frozenset({"los-angeles"}))
ACME = Recipient("acme", "partner", "acme")
GLOBEX = Recipient("globex", "partner", "globex")
GLOBEX_IN_GROUP = Recipient("globex", "partner", "globex", groups=(Group("couriers", None, "whole"),))
LE_IN_NATIONAL = Recipient("dea", "law_enforcement", groups=(Group("national", None, "whole"),))
LE_IN_LA_GROUP = Recipient("dea", "law_enforcement", groups=(Group("la", "los-angeles", "whole"),))
GLOBEX_IN_LA_GROUP = Recipient("globex", "partner", "globex", groups=(Group("la", "los-angeles", "non_nominal"),))

INCIDENT = Event("incident.created", "acme", "san-diego", ())
REFERRAL = Event("referral.created", "acme", "san-diego", ())
LIST_HIT = Event("list.hit", "acme", "san-diego", ())
WATCH_ACME = Event("watch.hit", "acme", "san-diego", ("acme",))
UNMATCHED = Event("notification.unmatched", None, "san-diego", ("export-authority-cn",))

CASES = [  # (event, recipient, share)
    (INCIDENT, AUTHORITY, "whole"),
    (INCIDENT, TASK_FORCE, "whole"),
    (INCIDENT, OTHER_LE, None),
    (INCIDENT, ACME, "filer"),
    (INCIDENT, GLOBEX, None),
    (INCIDENT, GLOBEX_IN_GROUP, "anonymous"),  # a partner never gets more, whatever the group's policy
    (INCIDENT, GLOBEX_IN_LA_GROUP, None),  # the group does not cover the corridor
    (INCIDENT, LE_IN_NATIONAL, "whole"),
    (INCIDENT, LE_IN_LA_GROUP, None),
    (REFERRAL, ACME, "filer"),
    (REFERRAL, GLOBEX_IN_GROUP, None),  # referrals are not group business
    (REFERRAL, TASK_FORCE, "whole"),
    (LIST_HIT, ACME, None),  # a list hit names a list: never a partner's
    (LIST_HIT, TASK_FORCE, "whole"),
    (WATCH_ACME, ACME, "filer"),
    (WATCH_ACME, GLOBEX, None),
    (WATCH_ACME, TASK_FORCE, None),  # the owner of the watch only
    (UNMATCHED, Recipient("export-authority-cn", "export_authority"), "filer"),
    (UNMATCHED, TASK_FORCE, "whole"),
    (UNMATCHED, ACME, None),
]


@pytest.mark.parametrize(("event", "who", "share"), CASES, ids=[f"{e.event}-{w.org_id}-{s}" for e, w, s in CASES])
def test_share_of(event: Event, who: Recipient, share: str | None) -> None:
    assert share_of(event, who) == share


DATA = {
    "incident_id": "I1",
    "shipment": {"partner": "acme", "shipment_id": "S1", "hawb": "H1", "mawb": "999-1", "secret": "x"},
    "non_nominal": {"what": {"substance": "4-AP"}},
    "nominal": {"who": [{"name": "WANG WEI"}]},
    "internal": {"score": 93},
}


def test_cut_leaves_out_what_a_share_does_not_carry() -> None:
    assert cut(DATA, "whole") == DATA
    filer = cut(DATA, "filer")
    assert filer == {"incident_id": "I1", "non_nominal": DATA["non_nominal"],
                     "shipment": {"partner": "acme", "shipment_id": "S1", "hawb": "H1", "mawb": "999-1"}}
    assert cut(DATA, "anonymous") == {"incident_id": "I1", "non_nominal": DATA["non_nominal"]}
