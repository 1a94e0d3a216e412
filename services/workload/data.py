"""The realistic pieces of a simulated practice: names, Massachusetts addresses, NUCC taxonomies by kind of
practice, and valid identifiers (NPIs with their Luhn check digit, TINs, ABA routing numbers), all drawn from a
``random.Random`` so that a seed fixes them."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.address import Address
from domain.npi import luhn_check_digit
from domain.taxonomy import TaxonomySelection
from services.app.commands import AddressIn, TaxonomyIn

TAXONOMY_VERSION = "25.1"
# The exclusion lists a firm screens against every month, with the label of their editions.
EXCLUSION_LISTS = (("oig_leie", "LEIE"), ("sam", "SAM"), ("state", "MassHealth exclusion list"))
FEDERAL_LISTS = ("oig_leie", "sam")

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Daniel", "Priya", "Kevin", "Fatima", "Carlos", "Emily", "Jonathan", "Grace",
    "Luis", "Hannah", "Samuel", "Olivia", "Thanh", "Rebecca", "Marcus", "Nadia", "Patrick", "Sofia", "Andre", "Megan",
    "Ibrahim", "Julia", "Ryan", "Chloe", "Dmitri", "Ana", "Brian", "Keisha", "Eduardo", "Laura", "Hiroshi", "Erin",
    "Tomasz", "Yasmin", "Colin", "Rosa",
)  # fmt: skip
LAST_NAMES = (
    "Santos", "OBrien", "Nguyen", "Patel", "Murphy", "Chen", "Rodriguez", "Sullivan", "Kim", "Fitzgerald", "Silva",
    "Walsh", "Okafor", "Goldberg", "Pereira", "Kelly", "Tran", "Haddad", "Costa", "Doherty", "Lopez", "McCarthy",
    "Nasser", "Barros", "Cohen", "Dubois", "Gallagher", "Mendes", "Russo", "Shapiro", "Yamamoto", "Brennan", "Ortiz",
    "Quinn", "Abreu", "Lindqvist", "Moreau", "Fernandes", "Keane", "Wong",
)  # fmt: skip

# (city, ZIP) in Massachusetts, and a few neighbouring states for out-of-state telehealth entities.
MA_TOWNS = (
    ("Boston", "02118"), ("Worcester", "01608"), ("Springfield", "01103"), ("Lowell", "01852"),
    ("Cambridge", "02139"), ("New Bedford", "02740"), ("Brockton", "02301"), ("Quincy", "02169"),
    ("Lynn", "01901"), ("Fall River", "02720"), ("Newton", "02458"), ("Lawrence", "01840"), ("Somerville", "02143"),
    ("Framingham", "01702"), ("Haverhill", "01830"), ("Waltham", "02453"), ("Malden", "02148"),
    ("Pittsfield", "01201"), ("Taunton", "02780"), ("Chicopee", "01013"), ("Salem", "01970"),
    ("Northampton", "01060"), ("Fitchburg", "01420"), ("Hyannis", "02601"), ("Plymouth", "02360"),
    ("Holyoke", "01040"), ("Leominster", "01453"), ("Attleboro", "02703"), ("Revere", "02151"), ("Chelsea", "02150"),
)  # fmt: skip
OUT_OF_STATE_TOWNS = (
    ("Nashua", "NH", "03060"), ("Providence", "RI", "02903"), ("Hartford", "CT", "06103"), ("Albany", "NY", "12207"),
    ("Burlington", "VT", "05401"), ("Portland", "ME", "04101"),
)  # fmt: skip
STREETS = (
    "Main St", "Washington St", "Elm St", "Pleasant St", "Highland Ave", "Center St", "Union St", "School St",
    "Park Ave", "Maple St", "Commonwealth Ave", "Broadway", "Summer St", "Water St", "Chestnut St", "Prospect St",
    "Central St", "High St", "Mill St", "Church St",
)  # fmt: skip
BILLING_AGENCIES = (
    "Bay State Billing Services", "Pioneer Valley Medical Billing", "Commonwealth Revenue Partners",
    "North Shore Claims Management", "Cape Cod Practice Solutions", "Merrimack Valley Billing Group",
)  # fmt: skip
PARTNER_FUNCTIONS = ("claims submission and remittance", "billing", "eligibility and claims follow-up")


@dataclass(frozen=True)
class PracticeType:
    """What kind of practice: its entity kind, MassHealth provider type, taxonomies and usual risk level."""

    entity_kind: str
    provider_type: str
    taxonomies: tuple[str, ...]  # the first is primary
    risk_levels: tuple[str, ...]  # drawn from, with repetition as weight
    primary_care: bool  # affiliates with ACOs and the PCC Plan, not only MCOs
    prescriber: bool  # carries a DEA certificate with a Massachusetts address
    weight: int
    names: tuple[str, ...] = ()  # "<town> <name>"; none for a solo practitioner (the person's name)


_GROUP = ("Family Health Associates", "Medical Group", "Primary Care Associates", "Health Partners")
PRACTICE_TYPES = (
    PracticeType("solo_practitioner", "physician", ("207Q00000X",), ("limited",), True, True, 8),
    PracticeType("solo_practitioner", "physician", ("208D00000X",), ("limited",), True, True, 4),
    PracticeType("solo_practitioner", "nurse practitioner", ("363LF0000X",), ("limited",), True, True, 4),
    PracticeType("solo_practitioner", "psychologist", ("103T00000X",), ("limited",), False, False, 3),
    PracticeType("group", "physician group", ("193200000X", "207Q00000X"), ("limited",), True, True, 9, _GROUP),
    PracticeType("group", "pediatric group", ("193200000X", "208000000X"), ("limited",), True, True, 4,
                 ("Pediatric Associates", "Children's Health")),
    PracticeType("group", "behavioral health group", ("193200000X", "1041C0700X"), ("limited", "moderate"), False,
                 False, 4, ("Behavioral Health Associates", "Counseling Group")),
    PracticeType("facility", "community health center", ("261QP2300X",), ("limited", "moderate"), True, True, 5,
                 ("Community Health Center", "Neighborhood Health Center")),
    PracticeType("facility", "mental health center", ("261QM0801X",), ("moderate",), False, True, 4,
                 ("Mental Health Center", "Counseling Center")),
    PracticeType("facility", "durable medical equipment supplier", ("332B00000X",), ("high",), False, False, 3,
                 ("Medical Supply", "Home Medical Equipment")),
    PracticeType("facility", "home health agency", ("251E00000X",), ("high", "moderate"), False, False, 2,
                 ("Home Health Services", "Visiting Nurse Association")),
    PracticeType("facility", "non-emergency medical transportation", ("343900000X",), ("high", "moderate"), False,
                 False, 2, ("Medical Transport", "Wheelchair Van Services")),
    PracticeType("facility", "substance use disorder clinic", ("261QR0405X",), ("moderate", "high"), False, True, 2,
                 ("Recovery Center", "Addiction Treatment Services")),
    PracticeType("out_of_state_telehealth", "telehealth psychiatry", ("2084P0800X",), ("limited", "moderate"),
                 False, True, 4, ("Telepsychiatry Group", "Virtual Behavioral Health")),
)  # fmt: skip

# ACO-A partnership plans with their MCO, ACO-B primary care ACOs, the MCOs, and the PCC Plan.
ACO_A_PLANS = (
    ("BMC HealthNet Plan Community Alliance", "WellSense Health Plan"),
    ("Tufts Health Together with Cambridge Health Alliance", "Tufts Health Together"),
    ("Fallon 365 Care", "Fallon Health"),
    ("Berkshire Fallon Health Collaborative", "Fallon Health"),
)
ACO_B_PLANS = ("Community Care Cooperative", "Steward Medicaid Care Network")
MCO_PLANS = ("WellSense Health Plan", "Tufts Health Together")
PCC_PLAN = "PCC Plan"


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def full_name(rng: random.Random) -> str:
    return " ".join(person(rng))


def date_of_birth(rng: random.Random) -> date:
    return date(1958, 1, 1) + timedelta(days=rng.randrange(38 * 365))


def npi(rng: random.Random, taken: set[str]) -> str:
    """A valid NPI: nine digits starting with 1 or 2, and the Luhn check digit over the 80840 prefix."""
    while True:
        body = rng.choice("12") + "".join(rng.choice(string.digits) for _ in range(8))
        value = body + str(luhn_check_digit("80840" + body))
        if value not in taken:
            taken.add(value)
            return value


def ein(rng: random.Random) -> str:
    prefix = rng.choice(("04", "20", "26", "27", "45", "46", "47", "81", "82", "83", "84", "85", "86", "87", "88"))
    return f"{prefix}-{rng.randrange(10**7):07d}"


def ssn(rng: random.Random) -> str:
    area = rng.randrange(1, 900)
    while area == 666:
        area = rng.randrange(1, 900)
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def tin_typo(tin: str) -> str:
    """The TIN with its last two digits swapped (a typist's slip), or its last digit changed if they are equal."""
    head, a, b = tin[:-2], tin[-2], tin[-1]
    return head + (b + a if a != b else a + str((int(b) + 1) % 10))


def routing_number(rng: random.Random) -> str:
    """An ABA routing number of a First District (Boston) bank, with its 3-7-1 check digit."""
    d = [int(c) for c in rng.choice(("0110", "0113", "2113", "2117", "2110"))] + [rng.randrange(10) for _ in range(4)]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5]
    return "".join(map(str, d)) + str(-total % 10)


def account_number(rng: random.Random) -> str:
    return "".join(rng.choice(string.digits) for _ in range(rng.randrange(8, 13)))


def pin(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))


def address(rng: random.Random, out_of_state: bool = False) -> Address:
    if out_of_state:
        city, state, zip_code = rng.choice(OUT_OF_STATE_TOWNS)
    else:
        (city, zip_code), state = rng.choice(MA_TOWNS), "MA"
    line2 = f"Suite {rng.randrange(1, 5)}{rng.randrange(10)}0" if rng.random() < 0.3 else None
    return Address.parse(f"{rng.randrange(1, 1200)} {rng.choice(STREETS)}", city, state, zip_code, line2, field="a")


def taxonomies(codes: tuple[str, ...]) -> list[TaxonomySelection]:
    return [TaxonomySelection(code=code, primary=i == 0) for i, code in enumerate(codes)]


def address_in(address: Address) -> AddressIn:
    """The address as a command carries it (the planner keeps domain Addresses, to compare with NPPES's)."""
    return AddressIn(
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        state=address.state,
        postal_code=address.postal_code,
    )


def taxonomies_in(selections: list[TaxonomySelection]) -> list[TaxonomyIn]:
    """The taxonomy codes as a command carries them."""
    return [TaxonomyIn(code=s.code, primary=s.primary) for s in selections]


def nppes_record(
    *,
    npi: str,
    entity_kind: str,
    name: str,
    location: Address,
    codes: list[TaxonomySelection],
    last_updated: date,
    zip4: str,
) -> dict[str, Any]:
    """An NPPES API (version 2.1) result as the registry spells it: upper case, ZIP+4."""
    if entity_kind == "solo_practitioner":
        first, _, last = name.partition(" ")
        basic: dict[str, Any] = {"first_name": first.upper(), "last_name": last.upper()}
        enumeration_type = "NPI-1"
    else:
        basic = {"organization_name": name.upper()}
        enumeration_type = "NPI-2"
    basic.update(status="A", last_updated=last_updated.isoformat())

    def nppes_address(purpose: str) -> dict[str, Any]:
        return {
            "address_purpose": purpose,
            "address_1": location.line1.upper(),
            "address_2": (location.line2 or "").upper(),
            "city": location.city.upper(),
            "state": location.state,
            "postal_code": location.postal_code[:5] + zip4,
            "country_code": "US",
        }

    return {
        "number": npi,
        "enumeration_type": enumeration_type,
        "basic": basic,
        "addresses": [nppes_address("LOCATION"), nppes_address("MAILING")],
        "taxonomies": [{"code": t.code, "primary": t.primary, "state": location.state, "license": None} for t in codes],
    }
