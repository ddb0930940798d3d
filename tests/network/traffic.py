"""Multi-day traffic of two partners for the network tests: a small smuggling network spread over both
partners and three days, a legitimate consolidator with hundreds of sellers at one market-district
address, and unrelated background shipments (many with a gmail address)."""

from __future__ import annotations

import random

HEADER = ("shipment_id,mode,filer,filed_at,origin_country,origin_port,destination_port,routing,shipper_name,"
          "shipper_address,shipper_city,shipper_postal_code,shipper_country,shipper_phone,shipper_email,"
          "consignee_name,consignee_address,consignee_city,consignee_state,consignee_postal_code,consignee_country,"
          "consignee_phone,consignee_email,pieces,gross_weight_kg,declared_value,currency,item_description,hs_code,"
          "item_quantity,item_weight_kg,item_value")
MARKET = ("88 HUAQIANGBEI RD", "SHENZHEN", "518031", "CN", "+86 755 8888 8888")
STATES = [("CA", "90001"), ("TX", "75001"), ("NY", "10001"), ("FL", "33101"), ("IL", "60601"), ("WA", "98101")]
# (partner, shipment id, day, shipper (name, address, postal, phone, email), consignee (name, address, postal, phone,
# email), goods): the seized one first.  The network: a chemical company (one name, moving address) and two
# consignees tied by one phone and one e-mail.  The seized shipment left from the consolidator's address.
NETWORK = [
    ("acme", "N0", 25, ("HUBEI XINYU CHEMICAL CO LTD", MARKET[0], MARKET[2], "", ""),
     ("JOHN MILLER", "12 ELM ST", "92154", "+1 619 555 0101", ""), "PIPERIDONE"),
    ("acme", "N1", 26, ("HUBEI XINYU CHEMICAL CO LTD", "5 JIANGHAN RD", "430000", "", ""),
     ("PEDRO RUIZ", "40 PINE AVE", "92101", "", "pr.boxes@protonmail.com"), "CHEMICAL REAGENT"),
    ("bolt", "N2", 26, ("WUHAN GREEN LEAF TRADE", "9 HANKOU ST", "430010", "", ""),
     ("J MILLER", "77 BAY RD", "92154", "6195550101", ""), "LAB SUPPLIES"),
    ("bolt", "N3", 27, ("WUHAN GREEN LEAF TRADE", "9 HANKOU ST", "430010", "", ""),
     ("P RUIZ", "3 HARBOR DR", "92102", "", "PR.BOXES@protonmail.com"), "LAB SUPPLIES"),
]


def rows(seed: int = 7, sellers: int = 300, background: int = 120) -> list[str]:
    rnd = random.Random(seed)
    out: list[str] = []

    def line(sid: str, day: int, shipper: tuple[str, ...], consignee: tuple[str, ...], goods: str,
             state: tuple[str, str] = ("CA", "92154"), city: str = "SHENZHEN") -> str:
        s_name, s_addr, s_post, s_phone, s_mail = shipper
        c_name, c_addr, c_post, c_phone, c_mail = consignee
        return (f"{sid},express,ACME EXPRESS,2026-11-{day:02d}T08:00:00Z,CN,SZX,LAX,SZX-LAX,{s_name},{s_addr},{city},"
                f"{s_post},CN,{s_phone},{s_mail},{c_name},{c_addr},CITY,{state[0]},{c_post},US,{c_phone},{c_mail},"
                f"1,1.5,40,USD,{goods},999999,1,1.5,40")

    for partner, sid, day, shipper, consignee, goods in NETWORK:
        out.append(f"{partner}|" + line(sid, day, shipper, consignee, goods))
    for k in range(sellers):  # the consolidator: one address and phone, hundreds of sellers, ordinary goods
        state = STATES[k % len(STATES)]
        out.append(f"{'acme' if k % 2 else 'bolt'}|" + line(
            f"C{k}", 24 + k % 3, (f"SELLER {k} {rnd.choice(['STORE', 'SHOP', 'MART'])} {k * 7919 % 1000}", MARKET[0],
                                  MARKET[2], MARKET[4], ""),
            (f"BUYER {k} SMITH{k}", f"{k} MAIN ST", state[1], "", ""), "PHONE CASE",
            state=state))
    for k in range(background):
        out.append(f"{'acme' if k % 3 else 'bolt'}|" + line(
            f"B{k}", 24 + k % 3, (f"FACTORY {k} TEXTILE", f"{k} INDUSTRY RD", "510000", "", ""),
            (f"PERSON {k} DOE{k}", f"{k} OAK ST", "97201", "", f"person{k}@gmail.com"), "T-SHIRT"))
    return out


def manifests(seed: int = 7, sellers: int = 300, background: int = 120) -> dict[str, bytes]:
    """One manifest CSV per partner."""
    by: dict[str, list[str]] = {}
    for r in rows(seed, sellers, background):
        partner, _, text = r.partition("|")
        by.setdefault(partner, [HEADER]).append(text)
    return {p: ("\n".join(lines) + "\n").encode() for p, lines in by.items()}
