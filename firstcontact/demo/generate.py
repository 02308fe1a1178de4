"""Generate the demo force: persons, addresses, households and two years of contacts.

Pure: no Django. ``generate_demo_force`` takes a numpy Generator, the real-data inputs
(``firstcontact.demo.sources``) and the sizes, and returns column tables of plain values.
The same seed, inputs and ``until`` give the same tables, value for value.

Made-up parts (names, numbers, postcodes' inward codes, who called when) are drawn so
their shape follows the real data or a stated assumption; every assumption is a named
constant below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from faker.providers.person.en_GB import Provider as BritishNames

from .sources import DISTRICTS, DemoSources

LONDON = ZoneInfo("Europe/London")
HISTORY_YEARS = 2

# Sizes at --scale 1: small enough to seed in seconds. --scale 100 gives 500k persons, 1M contacts.
PERSONS_PER_SCALE = 5_000
CONTACTS_PER_SCALE = 10_000

# People per household in England (Census 2021 shape, rounded): many live alone or in pairs.
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6])
HOUSEHOLD_SIZE_SHARES = np.array([0.30, 0.34, 0.16, 0.13, 0.05, 0.02])
SHARED_FAMILY_NAME = 0.8  # chance a household member carries the household's family name
PREVIOUS_ADDRESS_SHARE = 0.08  # persons who also have an earlier address, ended when they moved
NO_DATE_OF_BIRTH_SHARE = 0.03
# Persons entered twice (a pet name on one call, a slip in the surname or the date on another), for the
# duplicate review queue to find: well under the few per cent a real index carries, so the queue is short.
DUPLICATE_SHARE = 0.006
PHONE_SHARE = 0.8
EMAIL_SHARE = 0.45

# Channels of contact (share of all contacts). 999/101/online/chat as the brief sets them; the
# small remainder is business reports, front-counter visits and e-mail.
CHANNEL_SHARES = {
    "999": 0.25, "101": 0.53, "online": 0.14, "chat": 0.05, "business": 0.015, "walk_in": 0.01, "email": 0.005,
}

# Share of contacts that are about something other than a crime or ASB. Most police incidents
# are not crimes; 0.5 keeps enough crimes in a small demo for the crime screens to show.
NON_CRIME_SHARE = 0.5
# Within a data.police.uk category, how its recorded crimes split between our finer incident types.
SUBTYPE_WEIGHTS = {
    "violence-with-injury": 0.33, "violence-without-injury": 0.42, "stalking-harassment": 0.18,
    "sexual-offence": 0.07,
    "criminal-damage": 0.93, "arson": 0.07,
    "burglary-residential": 0.7, "burglary-business": 0.3,
    "asb-personal": 0.25, "asb-nuisance": 0.65, "asb-environmental": 0.10,
}
FRAUD_SHARE_OF_CRIME = 0.04  # fraud is reported to the force too, but published elsewhere
# Relative frequency of the non-crime incident types (an assumption shaped on typical command-and-control mixes).
NON_CRIME_WEIGHTS = {
    "concern-for-welfare": 18, "suspicious-activity": 12, "domestic-incident": 9, "rtc-damage-only": 7,
    "rtc-injury": 2, "missing-person": 6, "mental-health": 6, "noise": 5, "highway-disruption": 5,
    "lost-property": 4, "found-property": 3, "civil-dispute": 5, "alarm-activation": 4, "abandoned-call": 6,
    "sudden-death": 1, "animal-related": 3, "assist-other-agency": 3, "information-report": 4,
}

CHANNEL_WORDS = {
    "999": "999 call", "101": "101 call", "online": "online report", "chat": "live chat",
    "business": "business report", "walk_in": "reported at a front counter", "email": "reported by e-mail",
}

# Grade by channel, as shares of grades 1-4: 999 calls are mostly emergencies, online reports never are.
GRADE_SHARES = {
    "999": (0.45, 0.35, 0.12, 0.08),
    "101": (0.03, 0.27, 0.35, 0.35),
    "online": (0.0, 0.05, 0.25, 0.70),
    "chat": (0.01, 0.14, 0.30, 0.55),
    "business": (0.0, 0.05, 0.25, 0.70),
    "walk_in": (0.02, 0.20, 0.30, 0.48),
    "email": (0.0, 0.05, 0.25, 0.70),
}
# Seconds from arrival to answer (median) for channels a person answers; None: no answer event.
ANSWER_MEDIAN_SECONDS = {"999": 6, "101": 110, "chat": 45, "walk_in": 240, "online": None, "business": None,
                         "email": None}
CALLER_KNOWN_SHARE = 0.93  # anonymous and silent callers have no person
CALLER_ACTIVE_SHARE = 0.6  # persons in the index who ever make contact themselves
# Where the incident is: the caller's home, another address, or a street or place with no address.
LOCATION_SHARES = {"home": 0.55, "other_address": 0.22, "street_or_place": 0.23}
CALLER_ALSO_VICTIM = 0.75
SUSPECT_NAMED = 0.15
WITNESS_NAMED = 0.10
SHOP_PLACES = ("Supermarket", "Shopping Area")

UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))  # the letters Royal Mail uses in inward codes
EMAIL_DOMAINS = np.array(["example.com", "example.org", "example.net"])  # reserved: never real mailboxes


@dataclass
class AddressTable:
    number_or_name: np.ndarray
    street: np.ndarray
    locality: np.ndarray
    town: np.ndarray
    postcode: np.ndarray
    lsoa_code: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray

    def __len__(self) -> int:
        return len(self.street)


@dataclass
class PersonTable:
    given_name: np.ndarray
    family_name: np.ndarray
    date_of_birth: np.ndarray  # datetime64[D], NaT when unknown
    gender: np.ndarray
    phone_e164: np.ndarray
    email: np.ndarray
    created_at: np.ndarray  # seconds since the epoch, UTC

    def __len__(self) -> int:
        return len(self.given_name)


@dataclass
class MembershipTable:
    person: np.ndarray  # row in PersonTable
    address: np.ndarray  # row in AddressTable
    from_date: np.ndarray  # datetime64[D]
    to_date: np.ndarray  # datetime64[D], NaT while they live there

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class ContactTable:
    channel: np.ndarray
    received_at: np.ndarray  # seconds since the epoch, UTC
    answered_at: np.ndarray  # -1 when there is no answer event
    closed_at: np.ndarray
    caller: np.ndarray  # row in PersonTable, -1 when anonymous
    address: np.ndarray  # row in AddressTable, -1 when the place has no address
    location_text: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    incident_type: np.ndarray  # code
    grade: np.ndarray  # 1-4
    summary: np.ndarray

    def __len__(self) -> int:
        return len(self.channel)


@dataclass
class ContactPersonTable:
    contact: np.ndarray
    person: np.ndarray
    role: np.ndarray

    def __len__(self) -> int:
        return len(self.contact)


@dataclass
class DemoForce:
    addresses: AddressTable
    persons: PersonTable
    memberships: MembershipTable
    contacts: ContactTable
    contact_people: ContactPersonTable
    window_start: datetime
    window_end: datetime


@dataclass(frozen=True)
class IncidentTypeInfo:
    code: str
    name: str
    category: str
    police_uk_category: str


def history_window(until: date) -> tuple[datetime, datetime]:
    """The two years of history before ``until``: from 00:00 London time two years earlier to 00:00 on ``until``."""
    try:
        first = until.replace(year=until.year - HISTORY_YEARS)
    except ValueError:  # 29 February
        first = until.replace(year=until.year - HISTORY_YEARS, day=28)
    start = datetime(first.year, first.month, first.day, tzinfo=LONDON).astimezone(UTC)
    end = datetime(until.year, until.month, until.day, tzinfo=LONDON).astimezone(UTC)
    return start, end


def _names(rng: np.random.Generator, pool, size: int) -> np.ndarray:
    if isinstance(pool, dict):
        names = np.array(list(pool.keys()), dtype=object)
        weights = np.array(list(pool.values()), dtype=float)
        return rng.choice(names, size=size, p=weights / weights.sum())
    return rng.choice(np.array(pool, dtype=object), size=size)


def _rank_within_group(groups: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements share its group (0, 1, 2…)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    ranks = np.empty(len(groups), dtype=np.int64)
    ranks[order] = np.arange(len(groups)) - run_start
    return ranks


def incident_mix(sources: DemoSources, types: list[IncidentTypeInfo]) -> tuple[np.ndarray, np.ndarray]:
    """The share of contacts for each incident type: the real crime mix, plus the non-crime share.

    Crime and ASB types take ``1 - NON_CRIME_SHARE`` in proportion to the force's recorded
    crimes per data.police.uk category, split within a category by ``SUBTYPE_WEIGHTS``.
    """
    counts = sources.crime_type_counts
    total_recorded = sum(counts.values())
    codes, shares = [], []
    by_category: dict[str, list[IncidentTypeInfo]] = {}
    for info in types:
        if info.category != "non_crime" and info.police_uk_category:
            by_category.setdefault(info.police_uk_category, []).append(info)
    crime_share = 1.0 - NON_CRIME_SHARE
    recorded_share = crime_share * (1.0 - FRAUD_SHARE_OF_CRIME)
    for category, members in sorted(by_category.items()):
        weight = counts.get(category, 0) / total_recorded
        sub = np.array([SUBTYPE_WEIGHTS.get(m.code, 1.0) for m in members])
        for member, part in zip(members, sub / sub.sum(), strict=True):
            codes.append(member.code)
            shares.append(recorded_share * weight * part)
    if any(t.code == "fraud" for t in types):
        codes.append("fraud")
        shares.append(crime_share * FRAUD_SHARE_OF_CRIME)
    non_crime = [t for t in types if t.category == "non_crime"]
    weights = np.array([NON_CRIME_WEIGHTS.get(t.code, 1.0) for t in non_crime])
    for info, part in zip(non_crime, weights / weights.sum(), strict=True):
        codes.append(info.code)
        shares.append(NON_CRIME_SHARE * part)
    share_array = np.array(shares)
    return np.array(codes, dtype=object), share_array / share_array.sum()


def hour_of_week(epoch_seconds: np.ndarray) -> np.ndarray:
    """Hour of the week in London time (Monday 00:00 = 0) for each UTC instant."""
    local = pd.to_datetime(epoch_seconds, unit="s", utc=True).tz_convert(LONDON)
    return np.asarray(local.day_of_week * 24 + local.hour, dtype=np.int64)


def _arrival_times(rng: np.random.Generator, profile: np.ndarray, start: datetime, end: datetime,
                   size: int) -> np.ndarray:
    """``size`` instants in [start, end) whose London hour of week follows ``profile``."""
    # Whole seconds since the epoch, whatever resolution pandas picks for the index.
    hours = pd.date_range(start, end, freq="h", inclusive="left").as_unit("s").asi8
    how = hour_of_week(hours)
    weights = np.asarray(profile, dtype=float)[how]
    picked = rng.choice(len(hours), size=size, p=weights / weights.sum())
    return hours[picked] + rng.integers(0, 3600, size=size)


def _postcodes(rng: np.random.Generator, districts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A made-up but plausible postcode (and its post town) for each street, in its district's outcodes."""
    postcode = np.empty(len(districts), dtype=object)
    town = np.empty(len(districts), dtype=object)
    pick = rng.random(len(districts))
    sector = rng.integers(1, 10, size=len(districts))
    letters = rng.choice(UNIT_LETTERS, size=(len(districts), 2))
    for name, district in DISTRICTS.items():
        mask = districts == name
        choice = (pick[mask] * len(district.outcodes)).astype(int)
        outcodes = np.array([o for o, _ in district.outcodes], dtype=object)[choice]
        town[mask] = np.array([t for _, t in district.outcodes], dtype=object)[choice]
        postcode[mask] = [
            f"{o} {s}{a}{b}" for o, s, (a, b) in zip(outcodes, sector[mask], letters[mask], strict=True)
        ]
    return postcode, town


def _households(rng: np.random.Generator, n_persons: int) -> np.ndarray:
    """Household sizes (1–6) summing exactly to ``n_persons``."""
    estimate = int(n_persons / float((HOUSEHOLD_SIZES * HOUSEHOLD_SIZE_SHARES).sum())) + 10
    sizes = rng.choice(HOUSEHOLD_SIZES, size=estimate, p=HOUSEHOLD_SIZE_SHARES)
    while sizes.sum() < n_persons:
        sizes = np.r_[sizes, rng.choice(HOUSEHOLD_SIZES, size=estimate // 4 + 10, p=HOUSEHOLD_SIZE_SHARES)]
    cumulative = np.cumsum(sizes)
    last = int(np.searchsorted(cumulative, n_persons))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(cumulative[last] - n_persons)
    return sizes[sizes > 0]


_NOT_LETTERS = re.compile(r"[^a-z]")


def generate_demo_force(
    rng: np.random.Generator,
    sources: DemoSources,
    incident_types: list[IncidentTypeInfo],
    *,
    until: date,
    n_persons: int,
    n_contacts: int,
) -> DemoForce:
    """Build the whole demo force as column tables. Same generator state and inputs, same output."""
    start, end = history_window(until)
    gaz = sources.gazetteer
    min_lon, min_lat, max_lon, max_lat = gaz.bbox
    end_day = np.datetime64(until, "D")
    start_s = int(start.timestamp())

    # --- Households and their addresses ------------------------------------------------------
    sizes = _households(rng, n_persons)
    n_households = len(sizes)
    street_of_home = rng.integers(0, gaz.street_count, size=n_households)
    # One postcode per street point, so neighbours share it as they do in life.
    street_postcode, street_town = _postcodes(rng, gaz.street_district)
    house_number = _rank_within_group(street_of_home) + 1
    jitter = rng.normal(0.0, 0.0004, size=(n_households, 2))  # about 30-40 m around the snap point
    addresses = AddressTable(
        number_or_name=house_number.astype(str).astype(object),
        street=gaz.street_name[street_of_home],
        locality=gaz.street_district[street_of_home],
        town=street_town[street_of_home],
        postcode=street_postcode[street_of_home],
        lsoa_code=gaz.street_lsoa[street_of_home],
        latitude=np.round(np.clip(gaz.street_lat[street_of_home] + jitter[:, 0], min_lat, max_lat), 6),
        longitude=np.round(np.clip(gaz.street_lon[street_of_home] + jitter[:, 1], min_lon, max_lon), 6),
    )

    # --- Persons -----------------------------------------------------------------------------
    household_of = np.repeat(np.arange(n_households), sizes)
    position = np.arange(n_persons) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    household_name = _names(rng, BritishNames.last_names, n_households)
    own_name = _names(rng, BritishNames.last_names, n_persons)
    family_name = np.where(rng.random(n_persons) < SHARED_FAMILY_NAME, household_name[household_of], own_name)

    # Ages: the first two members are adults; later members are children unless the first adult is older.
    head_age = np.clip(rng.normal(48, 17, size=n_households), 18, 95)
    age = np.empty(n_persons)
    first = position == 0
    second = position == 1
    rest = position >= 2
    age[first] = head_age[household_of[first]]
    age[second] = np.clip(head_age[household_of[second]] + rng.normal(0, 5, size=second.sum()), 18, 97)
    head_of_rest = head_age[household_of[rest]]
    child_age = rng.uniform(0, 18, size=rest.sum())
    grown_child_age = rng.uniform(18, 40, size=rest.sum())
    age[rest] = np.where(head_of_rest < 58, np.minimum(child_age, np.maximum(head_of_rest - 18, 0)), grown_child_age)
    days_old = (age * 365.25).astype(np.int64) + rng.integers(0, 365, size=n_persons)
    date_of_birth = end_day - days_old.astype("timedelta64[D]")
    date_of_birth[rng.random(n_persons) < NO_DATE_OF_BIRTH_SHARE] = np.datetime64("NaT")

    head_gender = rng.choice(np.array(["female", "male"], dtype=object), size=n_households)
    gender = rng.choice(np.array(["female", "male"], dtype=object), size=n_persons)
    partner_opposite = second & (rng.random(n_persons) < 0.85)
    gender[first] = head_gender[household_of[first]]
    gender[partner_opposite] = np.where(head_gender[household_of[partner_opposite]] == "female", "male", "female")
    unusual = rng.random(n_persons)
    gender[unusual < 0.004] = "other"
    gender[(unusual >= 0.004) & (unusual < 0.012)] = "not_known"
    female_names = _names(rng, BritishNames.first_names_female, n_persons)
    male_names = _names(rng, BritishNames.first_names_male, n_persons)
    either = np.where(rng.random(n_persons) < 0.5, female_names, male_names)
    given_name = np.where(gender == "female", female_names, np.where(gender == "male", male_names, either))

    adult = age >= 16
    mobile_digits = rng.integers(400_000_000, 1_000_000_000, size=n_persons)  # UK mobiles: 07400…07999
    has_phone = adult & (rng.random(n_persons) < PHONE_SHARE)
    phone = np.where(has_phone, np.char.add("+447", mobile_digits.astype(str)).astype(object), "")
    has_email = adult & (rng.random(n_persons) < EMAIL_SHARE)
    email_number = rng.integers(1, 100, size=n_persons)
    domains = rng.choice(EMAIL_DOMAINS, size=n_persons)
    email = np.array(
        [
            f"{_NOT_LETTERS.sub('', g.lower())}.{_NOT_LETTERS.sub('', f.lower())}{n}@{d}" if has else ""
            for g, f, n, d, has in zip(given_name, family_name, email_number, domains, has_email, strict=True)
        ],
        dtype=object,
    )
    created_at = start_s - rng.integers(0, 3 * 365 * 86400, size=n_persons)
    persons = PersonTable(given_name, family_name, date_of_birth, gender, phone, email, created_at)

    # --- Household memberships: everyone lives at their household's address now ---------------
    years_there = rng.uniform(0.2, 25, size=n_households)
    moved_in = end_day - (years_there * 365.25).astype("timedelta64[D]")
    from_date = moved_in[household_of]
    born_there = ~np.isnat(date_of_birth) & (date_of_birth > from_date)
    from_date = np.where(born_there, date_of_birth, from_date)
    movers = np.flatnonzero(adult & (rng.random(n_persons) < PREVIOUS_ADDRESS_SHARE))
    earlier_address = rng.integers(0, n_households, size=len(movers))
    earlier_to = from_date[movers] - np.timedelta64(1, "D")
    earlier_from = earlier_to - rng.integers(180, 3650, size=len(movers)).astype("timedelta64[D]")
    memberships = MembershipTable(
        person=np.r_[np.arange(n_persons), movers],
        address=np.r_[household_of, earlier_address],
        from_date=np.r_[from_date, earlier_from],
        to_date=np.r_[np.full(n_persons, np.datetime64("NaT"), dtype="datetime64[D]"), earlier_to],
    )

    # --- Contacts ------------------------------------------------------------------------------
    channel_names = np.array(list(CHANNEL_SHARES), dtype=object)
    channel_p = np.array(list(CHANNEL_SHARES.values()))
    channel = rng.choice(channel_names, size=n_contacts, p=channel_p / channel_p.sum())
    received = np.empty(n_contacts, dtype=np.int64)
    emergency = channel == "999"
    received[emergency] = _arrival_times(rng, sources.profile_999, start, end, int(emergency.sum()))
    received[~emergency] = _arrival_times(rng, sources.profile_101, start, end, int((~emergency).sum()))
    # Contacts are numbered in the order they arrived, as a live system would.
    order = np.argsort(received, kind="stable")
    channel, received = channel[order], received[order]

    codes, shares = incident_mix(sources, incident_types)
    incident = rng.choice(codes, size=n_contacts, p=shares)
    info_by_code = {t.code: t for t in incident_types}

    # Callers: a skewed few call often (repeat callers); children rarely call.
    caller_weight = rng.lognormal(0.0, 0.9, size=n_persons) * (rng.random(n_persons) < CALLER_ACTIVE_SHARE)
    caller_weight[~adult] *= 0.05
    caller = rng.choice(n_persons, size=n_contacts, p=caller_weight / caller_weight.sum())
    caller[rng.random(n_contacts) >= CALLER_KNOWN_SHARE] = -1
    # Repeat locations: some addresses draw far more incidents than others.
    address_weight = rng.lognormal(0.0, 1.6, size=n_households)
    other_address = rng.choice(n_households, size=n_contacts, p=address_weight / address_weight.sum())
    # Streets and places with no address follow where crime was really recorded.
    spot_weight = np.r_[gaz.street_crimes, gaz.place_crimes].astype(float)
    spot = rng.choice(len(spot_weight), size=n_contacts, p=spot_weight / spot_weight.sum())
    shop_places = np.flatnonzero(np.isin(gaz.place_name, SHOP_PLACES))
    shop_weight = gaz.place_crimes[shop_places].astype(float)
    shop_spot = gaz.street_count + shop_places[rng.choice(len(shop_places), size=n_contacts,
                                                           p=shop_weight / shop_weight.sum())]

    kinds = np.array(list(LOCATION_SHARES), dtype=object)
    kind = rng.choice(kinds, size=n_contacts, p=np.array(list(LOCATION_SHARES.values())))
    kind[(kind == "home") & (caller < 0)] = "other_address"
    kind[incident == "shoplifting"] = "street_or_place"
    spot = np.where(incident == "shoplifting", shop_spot, spot)

    address = np.full(n_contacts, -1, dtype=np.int64)
    at_home = kind == "home"
    address[at_home] = household_of[caller[at_home]]
    elsewhere = kind == "other_address"
    address[elsewhere] = other_address[elsewhere]
    has_address = address >= 0
    latitude = np.where(has_address, addresses.latitude[np.maximum(address, 0)], 0.0)
    longitude = np.where(has_address, addresses.longitude[np.maximum(address, 0)], 0.0)
    spot_lat = np.r_[gaz.street_lat, gaz.place_lat]
    spot_lon = np.r_[gaz.street_lon, gaz.place_lon]
    spot_name = np.r_[gaz.street_name, gaz.place_name]
    spot_district = np.r_[gaz.street_district, gaz.place_district]
    latitude = np.where(has_address, latitude, spot_lat[spot])
    longitude = np.where(has_address, longitude, spot_lon[spot])
    location_text = np.where(has_address, "", np.char.add(np.char.add(spot_name[spot].astype(str), ", "),
                                                          spot_district[spot].astype(str)).astype(object))

    grade = np.empty(n_contacts, dtype=np.int64)
    answered = np.full(n_contacts, -1, dtype=np.int64)
    for name in CHANNEL_SHARES:
        mask = channel == name
        count = int(mask.sum())
        grade[mask] = rng.choice(np.arange(1, 5), size=count, p=np.array(GRADE_SHARES[name]))
        median = ANSWER_MEDIAN_SECONDS[name]
        if median is not None:
            answered[mask] = received[mask] + np.maximum(1, rng.lognormal(np.log(median), 0.8, size=count)).astype(
                np.int64
            )
    started = np.where(answered >= 0, answered, received)
    # Closed when the incident is finished: minutes for advice, hours when officers attend.
    handling_median = np.array([0, 150, 90, 40, 15])[grade] * 60
    closed = started + np.maximum(120, rng.lognormal(np.log(handling_median), 0.7)).astype(np.int64)

    summary = np.array(
        [f"{info_by_code[code].name}: {CHANNEL_WORDS[ch]}." for code, ch in zip(incident, channel, strict=True)],
        dtype=object,
    )
    contacts = ContactTable(
        channel=channel, received_at=received, answered_at=answered, closed_at=closed, caller=caller,
        address=address, location_text=location_text, latitude=np.round(latitude, 6),
        longitude=np.round(longitude, 6), incident_type=incident, grade=grade, summary=summary,
    )

    # --- People in each contact -------------------------------------------------------------
    index = np.arange(n_contacts)
    known = caller >= 0
    category = np.array([info_by_code[c].category for c in incident], dtype=object)
    victimised = known & np.isin(category, ["crime", "asb_personal"]) & (rng.random(n_contacts) < CALLER_ALSO_VICTIM)
    suspect_named = np.isin(category, ["crime", "asb_personal", "asb_nuisance"]) & (
        rng.random(n_contacts) < SUSPECT_NAMED
    )
    # Suspects too are skewed: a few people are named again and again.
    suspect = rng.choice(n_persons, size=n_contacts, p=caller_weight / caller_weight.sum())
    suspect_named &= suspect != caller
    witness_named = rng.random(n_contacts) < WITNESS_NAMED
    witness = rng.integers(0, n_persons, size=n_contacts)
    witness_named &= (witness != caller) & (witness != suspect)
    contact_people = ContactPersonTable(
        contact=np.r_[index[known], index[victimised], index[suspect_named], index[witness_named]],
        person=np.r_[caller[known], caller[victimised], suspect[suspect_named], witness[witness_named]],
        role=np.r_[
            np.full(known.sum(), "caller", dtype=object), np.full(victimised.sum(), "victim", dtype=object),
            np.full(suspect_named.sum(), "suspect", dtype=object), np.full(witness_named.sum(), "witness", dtype=object),
        ],
    )
    by_contact = np.argsort(contact_people.contact, kind="stable")
    contact_people = ContactPersonTable(
        contact_people.contact[by_contact], contact_people.person[by_contact], contact_people.role[by_contact]
    )
    # Last, so that every draw above (and so the rest of the demo) is the same with or without it.
    _plant_duplicates(rng, persons, memberships, n_persons)
    return DemoForce(addresses, persons, memberships, contacts, contact_people, start, end)


def _slip(rng: np.random.Generator, word: str) -> str:
    """One typing slip in a word: two neighbouring letters swapped, or one letter doubled or left out."""
    if len(word) < 4:
        return word + word[-1]
    at = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1:]


def _plant_duplicates(rng: np.random.Generator, persons: PersonTable, memberships: MembershipTable,
                      n_persons: int) -> None:
    """Turn a few persons into second records of others, with the slips real records carry.

    The second record keeps its own contacts, so that person's history is split between two
    records, as it is when a handler creates a new record instead of finding the old one. Half
    live at the first record's address; the rest at an address the first one never had.
    """
    from people.nicknames import NICKNAME_FAMILIES

    count = int(n_persons * DUPLICATE_SHARE)
    if count == 0:
        return
    chosen = rng.choice(n_persons, size=2 * count, replace=False)
    originals, copies = chosen[:count], chosen[count:]
    pet_names = {}
    for family in NICKNAME_FAMILIES:
        for name in family:
            pet_names.setdefault(name, sorted(family - {name}))
    current = np.flatnonzero(np.isnat(memberships.to_date))
    home_row = dict(zip(memberships.person[current].tolist(), current.tolist(), strict=True))
    for original, copy in zip(originals.tolist(), copies.tolist(), strict=True):
        given, family = str(persons.given_name[original]), str(persons.family_name[original])
        draw = rng.random(6)
        forms = pet_names.get(given.lower(), [])
        if forms and draw[0] < 0.4:
            given = forms[int(rng.integers(0, len(forms)))].title()
        if draw[1] < 0.35:
            family = _slip(rng, family.lower()).title()
        dob = persons.date_of_birth[original]
        if not np.isnat(dob):
            year, month, day = (int(part) for part in str(dob).split("-"))
            if draw[2] < 0.15 and day <= 12 and day != month:
                dob = np.datetime64(f"{year:04d}-{day:02d}-{month:02d}", "D")
            elif draw[2] < 0.25:
                dob = np.datetime64("NaT", "D")
            elif draw[2] < 0.35:
                dob = dob + np.timedelta64(int(rng.choice([-10, -1, 1, 10])), "D")
        persons.given_name[copy], persons.family_name[copy] = given, family
        persons.date_of_birth[copy] = dob
        persons.gender[copy] = persons.gender[original]
        persons.phone_e164[copy] = persons.phone_e164[original] if draw[3] < 0.5 else ""
        persons.email[copy] = persons.email[original] if draw[4] < 0.3 else ""
        persons.created_at[copy] = max(persons.created_at[original], persons.created_at[copy]) + 86_400
        if draw[5] < 0.5 and original in home_row and copy in home_row:
            memberships.address[home_row[copy]] = memberships.address[home_row[original]]


def sizes_for_scale(scale: float) -> tuple[int, int]:
    """Persons and contacts for a scale: 5,000 and 10,000 at 1; 500,000 and 1,000,000 at 100."""
    return max(10, int(round(PERSONS_PER_SCALE * scale))), max(10, int(round(CONTACTS_PER_SCALE * scale)))

