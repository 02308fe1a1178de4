"""Reads of the person index. Every read of a person's record names who read it and why, and is logged.

DPA 2018 Part 3 s.62: consultation is logged with its justification. A refusal says
the same whether or not the record exists, so a refusal reveals nothing.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import REASON_REQUIRED, record_entry
from firstcontact.lazy import lazy_module

from . import matching
from .models import (
    Address,
    DuplicateRun,
    HouseholdMembership,
    Person,
    PersonEmail,
    PersonIdentifier,
    PersonLink,
    PersonName,
    PersonPhone,
    VulnerabilityMarker,
)
from .nicknames import same_person_names
from .services import OLDEST_AGE_YEARS, normalise_phone

# Splink and pandas come with it; needed once a minute at most (firstcontact/lazy.py).
linkage = lazy_module("people.linkage")

VIEW_PERMISSION = "accounts.search_people"
NO_PERMISSION = "You do not have permission to view people's records."


def _check(actor: Any, reason: str) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(NO_PERMISSION)
    if not (reason or "").strip():
        raise PermissionDenied(f"reason: {REASON_REQUIRED}")
    return reason.strip()


@transaction.atomic
def get_person(*, actor: Any, reason: str, reference: str) -> Person:
    """The person with this reference, logged as a consultation by ``actor`` for ``reason``.

    Raises PermissionDenied (no permission, no reason) before looking the record up,
    and Person.DoesNotExist when there is none.
    """
    reason = _check(actor, reason)
    person = Person.objects.get(reference=reference.strip().upper())
    record_entry(
        actor=actor, action=Action.CONSULTATION, subject_type="people.person", subject_id=person.pk,
        person_id=person.pk, reason=reason,
    )
    return person


@transaction.atomic
def current_household(*, actor: Any, reason: str, person: Person) -> list[Person]:
    """Everyone else living now at the addresses where ``person`` lives now; each one's view is logged."""
    reason = _check(actor, reason)
    members = list(
        Person.objects.filter(
            memberships__to_date__isnull=True,
            memberships__address__memberships__person=person,
            memberships__address__memberships__to_date__isnull=True,
        )
        .exclude(pk=person.pk)
        .distinct()
        .order_by("date_of_birth", "pk")
    )
    for member in members:
        record_entry(
            actor=actor, action=Action.CONSULTATION, subject_type="people.person", subject_id=member.pk,
            person_id=member.pk, reason=reason, detail={"as": "household", "of": person.pk},
        )
    return members


# --- call-time search ------------------------------------------------------------------------------

MAX_CANDIDATES = 50
MAX_LIMIT = 50
# pg_trgm's default threshold (0.3) loses about one in eight one-typo surnames; 0.2 keeps ~99%.
TRIGRAM_THRESHOLD = 0.2
# SQLite has no trigram index: names sharing a date of birth are ranked in Python, up to this many.
SQLITE_DOB_ROWS = 2000


_PHONE_LIKE = re.compile(r"\+?[\d ()-]{6,}")
_POSTCODE_LIKE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")


def _is_clean_text(value: str) -> bool:
    """Text the database and the audit log can hold: no NUL or other control characters, no lone surrogates."""
    if any(ord(ch) < 32 and ch not in "\t" for ch in value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class SearchResult:
    """One candidate for the person a caller describes: who, how likely (0–100) and why."""

    person: Person
    score: int
    reasons: tuple[matching.Reason, ...]

    @property
    def reference(self) -> str:
        return self.person.reference

    @property
    def postcodes(self) -> tuple[str, ...]:
        return self.person.current_postcodes

    @property
    def agreeing(self) -> list[matching.Reason]:
        return [r for r in self.reasons if r.agrees]

    @property
    def disagreeing(self) -> list[matching.Reason]:
        return [r for r in self.reasons if not r.agrees]


def parse_partial_dob(day: str | None, month: str | None, year: str | None, *, field: str = "dob") -> matching.PartialDate | None:
    """A date of birth from the boxes typed: all three, month and year, or the year alone.

    Refuses, naming ``field``, an impossible date (31 2 1990), a day without a month,
    a date in the future, and one more than 130 years ago.
    """
    day, month, year = ((v or "").strip() for v in (day, month, year))
    if not (day or month or year):
        return None
    if not year:
        raise ValidationError({field: "Date of birth must include a year"})
    if day and not month:
        raise ValidationError({field: "Date of birth must include a month when it includes a day"})
    if not all(v.isdigit() for v in (day, month, year) if v) or len(year) != 4:
        raise ValidationError({field: "Date of birth must be a real date, for example 27 3 1985, or 3 1985, or 1985"})
    y, m, d = int(year), int(month) if month else None, int(day) if day else None
    try:
        date(y, m or 1, d or 1)
    except ValueError:
        raise ValidationError({field: "Date of birth must be a real date, for example 27 3 1985, or 3 1985, or 1985"}) from None
    partial = matching.PartialDate(y, m, d)
    check_partial_dob(partial, field=field)
    return partial


def check_partial_dob(partial: matching.PartialDate, *, field: str = "dob") -> None:
    """Refuse a date of birth in the future or more than 130 years ago, naming ``field``."""
    today = timezone.localdate()
    earliest = date(partial.year, partial.month or 1, partial.day or 1)
    if earliest > today:
        raise ValidationError({field: "Date of birth must be today or in the past"})
    if partial.year < today.year - OLDEST_AGE_YEARS:
        raise ValidationError({field: f"Date of birth must be within the last {OLDEST_AGE_YEARS} years"})


def _dob_dates(dob: matching.PartialDate) -> list[date]:
    full, swapped = dob.as_date(), dob.swapped()
    return [d for d in (full, swapped) if d is not None]


def _dob_range(dob: matching.PartialDate) -> tuple[date, date]:
    if dob.month is None:
        return date(dob.year, 1, 1), date(dob.year, 12, 31)
    start = date(dob.year, dob.month, 1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


# Name closeness on PostgreSQL: the better of the two readings (as typed, or names swapped).
# The family name with a form of the given name (Sue for Susan) counts as close as both names agreeing.
_NAME_RANK = (
    "greatest(similarity({t}family_norm, %(f)s) + similarity({t}given_norm, %(g)s),"
    " similarity({t}family_norm, %(g)s) + similarity({t}given_norm, %(f)s),"
    " CASE WHEN {t}family_norm = %(f)s AND {t}given_norm = ANY(%(names)s) THEN 2 ELSE 0 END)"
)
# A date-of-birth candidate this close on the names (one name exact, or both near) makes the
# name-only branches unnecessary: the person is already among the candidates.
_CLOSE_ENOUGH = 1.0
# Name-only search: how many distinct names like each one typed are tried (nearest first), how many
# persons are taken per pair of names unless the pair is the one typed (then up to MAX_CANDIDATES),
# and the pair score (two similarities) at or above which a pair counts as the one typed.
NAME_PARTS = 30
PER_NAME = 10
# A name alone leaves many near-namesakes: more candidates are scored (still a few ms) so that every
# person bearing each of the ten closest pairs of names can be, as with the former single trigram scan.
NAME_ONLY_CANDIDATES = 100
_WHOLE_NAME = 2.0


def _set_trigram_threshold(cursor: Any) -> None:
    """pg_trgm's threshold for this session, set once per database connection rather than per search.

    A session setting outlives the transaction, so pooled and persistent connections keep it; only
    this module uses the ``%`` operator. Saves a round trip per search (a few ms on a busy server).
    """
    raw = connection.connection
    if getattr(raw, "_people_trigram_threshold", None) != TRIGRAM_THRESHOLD:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [str(TRIGRAM_THRESHOLD)])
        # A rollback undoes the setting too: the connection is marked only once it has committed.
        transaction.on_commit(lambda: setattr(raw, "_people_trigram_threshold", TRIGRAM_THRESHOLD))


def _candidates_postgresql(query: matching.Query, phone_e164: str, postcode: str, address_ids: list[int]) -> list[int]:
    """Candidate ids from index-backed branches in one statement, the likeliest first, at most MAX_CANDIDATES
    (NAME_ONLY_CANDIDATES when neither a phone nor a date of birth is given).

    Branches, in order of preference: phone (B-tree); date of birth or its day/month
    swap (B-tree), ranked by name similarity; names by trigram at threshold 0.2; the
    family name with every form of the given name (B-tree, for nicknames); residents
    at the postcode or address. similarity() is computed only on rows a branch already
    picked, never combined with ``%`` and a date filter (the planner would then scan
    tens of thousands of trigram entries). The name-only branches run only when the
    phone found no one and no date-of-birth candidate is already close on the names
    (a one-time filter), and rows whose date of birth agrees come first in every branch.
    """
    f, g = query.family, query.given or query.family
    dates = _dob_dates(query.dob) if query.dob else []
    cap = MAX_CANDIDATES if (phone_e164 or query.dob) else NAME_ONLY_CANDIDATES
    params: dict[str, Any] = {
        "f": f, "g": g, "dates": dates, "n": cap, "phone": phone_e164, "close": _CLOSE_ENOUGH,
        "names": sorted(same_person_names(query.given.split()[0])) if query.given else [],
        "keys": sorted({matching.phonetic_key(f), matching.phonetic_key(g)} - {""}),
    }
    rank, rank_n = _NAME_RANK.format(t=""), _NAME_RANK.format(t="n.")
    branches: list[str] = []
    ctes: list[str] = []
    guards: list[str] = []
    if phone_e164:
        ctes.append(
            "by_phone AS MATERIALIZED ((SELECT id FROM people_person WHERE phone_e164 = %(phone)s AND merged_into_id IS NULL "
            "LIMIT %(n)s) "
            "UNION ALL (SELECT person_id FROM people_personphone WHERE number = %(phone)s LIMIT %(n)s))"
        )
        branches.append("(SELECT id, 0, 0::real FROM by_phone)")
        guards.append("NOT EXISTS (SELECT 1 FROM by_phone)")
    if dates:
        ctes.append(
            f"by_dob AS MATERIALIZED ((SELECT id, {rank} AS rank FROM people_person "  # noqa: S608
            "WHERE date_of_birth = ANY(%(dates)s) AND merged_into_id IS NULL ORDER BY 2 DESC LIMIT %(n)s) "
            f"UNION ALL (SELECT n.person_id, {rank_n} FROM people_personname n JOIN people_person p ON p.id = n.person_id "
            "WHERE p.date_of_birth = ANY(%(dates)s) AND p.merged_into_id IS NULL ORDER BY 2 DESC LIMIT %(n)s))"
        )
        branches.append("(SELECT id, 1, rank FROM by_dob)")
        guards.append("NOT EXISTS (SELECT 1 FROM by_dob WHERE rank >= %(close)s)")
    elif query.dob and f:
        start, end = _dob_range(query.dob)
        params.update(start=start, end=end)
        branches.append(
            "(SELECT id, 1, similarity(given_norm, %(g)s) FROM people_person WHERE family_key = ANY(%(keys)s) "
            "AND date_of_birth BETWEEN %(start)s AND %(end)s AND merged_into_id IS NULL ORDER BY 3 DESC LIMIT %(n)s)"
        )
    # The name branches look names up in the short list of distinct names (people_namepart, GiST
    # trigram, nearest first) and fetch the persons bearing the likeliest ones by B-tree, a few per
    # name so that one common near-namesake (Joe Smith for "Jon Smyth") cannot fill the candidates.
    # Their rows come out in turn (the first bearer of each name, then the second...): the scorer
    # keeps the candidates' order among equal scores, so two names as close (Tracey and Stacey for
    # "Tacey") share the first ten places rather than one filling them.
    # The wide ones run only when neither the phone nor the date of birth has found someone close.
    guard = " AND ".join(guards) or "TRUE"
    if f:
        params.update(parts=NAME_PARTS, per_name=PER_NAME, whole=_WHOLE_NAME)
        dob_first = "ORDER BY (date_of_birth = ANY(%(dates)s)) DESC " if dates else ""
        like = {
            (kind, value): f"(SELECT norm, similarity(norm, %({value})s) AS s FROM people_namepart "  # noqa: S608
            f"WHERE kind = '{kind}' AND norm %% %({value})s ORDER BY norm <-> %({value})s LIMIT %(parts)s)"
            for kind in ("f", "g") for value in ("f", "g")
        }
        if query.given:
            # Pairs of names, both readings (as typed, and names swapped), the closest first.
            ctes.append(
                f"pairs AS MATERIALIZED (SELECT a.norm AS fn, b.norm AS gn, a.s + b.s AS s FROM {like['f', 'f']} a, "
                f"{like['g', 'g']} b UNION ALL SELECT a.norm, b.norm, a.s + b.s FROM {like['f', 'g']} a, {like['g', 'f']} b)"
            )
            for table, key in (("people_person", "id"), ("people_personname", "person_id")):
                live = " AND merged_into_id IS NULL" if table == "people_person" else ""
                order = dob_first if table == "people_person" else ""
                branches.append(
                    f"(SELECT x.id, 2, pairs.s - 3 * x.nth FROM (SELECT * FROM pairs ORDER BY s DESC) pairs "  # noqa: S608
                    f"CROSS JOIN LATERAL (SELECT {key} AS id, row_number() OVER () AS nth FROM {table} WHERE family_norm = pairs.fn AND given_norm = pairs.gn{live} "
                    f"{order}"
                    "LIMIT CASE WHEN pairs.s >= %(whole)s THEN %(n)s ELSE %(per_name)s END) x "
                    f"WHERE {guard} ORDER BY pairs.s DESC LIMIT %(n)s)"
                )
        else:
            # One name typed: a family name or a given name like it.
            for table, key in (("people_person", "id"), ("people_personname", "person_id")):
                live = " AND merged_into_id IS NULL" if table == "people_person" else ""
                order = dob_first if table == "people_person" else ""
                for kind, column in (("f", "family_norm"), ("g", "given_norm")):
                    branches.append(
                        f"(SELECT x.id, 2, part.s - 3 * x.nth FROM {like[kind, 'f']} part CROSS JOIN LATERAL "  # noqa: S608
                        f"(SELECT {key} AS id, row_number() OVER () AS nth FROM {table} WHERE {column} = part.norm{live} {order}"
                        "LIMIT CASE WHEN part.s >= 1 THEN %(n)s ELSE %(per_name)s END) x "
                        f"WHERE {guard} ORDER BY part.s DESC LIMIT %(n)s)"
                    )
        if query.given:
            # A pet name shares no trigrams with the formal one (Peggy, Margaret).
            # Cheap (B-tree, exact), so it runs even when a dob candidate is close: namesakes born
            # on other dates are shown, in case the date given was wrong.
            branches.append(
                "(SELECT id, 3, 0::real FROM people_person WHERE family_norm = %(f)s AND given_norm = ANY(%(names)s) "
                "AND merged_into_id IS NULL LIMIT %(n)s)"
            )
            branches.append(
                "(SELECT person_id, 3, 0::real FROM people_personname WHERE family_norm = %(f)s "
                "AND given_norm = ANY(%(names)s) LIMIT %(n)s)"
            )
            # The family name as typed with the given names nearest the one typed, however far.
            branches.append(
                "(SELECT x.id, 4, part.s FROM (SELECT norm, similarity(norm, %(g)s) AS s FROM people_namepart "
                "WHERE kind = 'g' ORDER BY norm <-> %(g)s LIMIT %(parts)s) part CROSS JOIN LATERAL "
                "(SELECT id FROM people_person WHERE family_norm = %(f)s AND given_norm = part.norm "
                f"AND merged_into_id IS NULL {dob_first}LIMIT %(per_name)s) x "
                f"WHERE {guard} ORDER BY part.s DESC LIMIT %(n)s)"
            )
    ids: list[int] = []
    seen: set[int] = set()
    with connection.cursor() as cursor:
        _set_trigram_threshold(cursor)
        if branches:
            with_clause = f"WITH {', '.join(ctes)} " if ctes else ""
            cursor.execute(f"{with_clause}SELECT id FROM ({' UNION ALL '.join(branches)}) AS c (id, branch, rank) ORDER BY branch, rank DESC", params)
            for (pk,) in cursor.fetchall():
                if pk not in seen and len(ids) < cap:
                    seen.add(pk)
                    ids.append(pk)
    if (postcode or address_ids) and len(ids) < cap:
        for (pk,) in _residents(postcode, address_ids):
            if pk not in seen and len(ids) < cap:
                seen.add(pk)
                ids.append(pk)
    return ids


def _residents(postcode: str, address_ids: list[int]) -> list[tuple[int]]:
    memberships = HouseholdMembership.objects.filter(to_date__isnull=True)
    if postcode:
        memberships = memberships.filter(address__postcode=postcode)
    if address_ids:
        memberships = memberships.filter(address_id__in=address_ids)
    return [(pk,) for pk in memberships.values_list("person_id", flat=True)[:MAX_CANDIDATES]]


def _live_persons():
    """Persons not merged away: the only ones search may offer."""
    return Person.objects.filter(merged_into__isnull=True)


def _candidates_portable(query: matching.Query, phone_e164: str, postcode: str, address_ids: list[int]) -> list[int]:
    """Candidate ids by exact, prefix and phonetic-key lookups on B-tree indexes (SQLite and others).

    Rows sharing the date of birth (or its day/month swap) are ranked by name in
    Python; names are looked up folded, by phonetic key and by a three-letter prefix.
    """
    ids: list[int] = []
    seen: set[int] = set()

    def take(values) -> None:
        for pk in values:
            if pk not in seen and len(ids) < MAX_CANDIDATES:
                seen.add(pk)
                ids.append(pk)

    f, g = query.family, query.given
    if phone_e164:
        take(_live_persons().filter(phone_e164=phone_e164).values_list("pk", flat=True)[:MAX_CANDIDATES])
        take(PersonPhone.objects.filter(number=phone_e164).values_list("person_id", flat=True)[:MAX_CANDIDATES])
    dates = _dob_dates(query.dob) if query.dob else []
    if dates:
        rows = list(_live_persons().filter(date_of_birth__in=dates).values_list("pk", "given_norm", "family_norm")[:SQLITE_DOB_ROWS])
        rows += list(PersonName.objects.filter(person__date_of_birth__in=dates)
                     .values_list("person_id", "given_norm", "family_norm")[:SQLITE_DOB_ROWS])
        if f:
            def closeness(row) -> float:
                _, given, family = row
                straight = matching.name_similarity(f, family) + (matching.name_similarity(g, given) if g else 0)
                other = matching.name_similarity(f, given) + (matching.name_similarity(g, family) if g else 0)
                return max(straight, other)
            rows.sort(key=closeness, reverse=True)
        take(pk for pk, _, _ in rows)
    elif query.dob:
        start, end = _dob_range(query.dob)
        in_range = _live_persons().filter(date_of_birth__range=(start, end))
        if f:
            take(in_range.filter(family_key__in=[matching.phonetic_key(f), matching.phonetic_key(g or f)])
                 .values_list("pk", flat=True)[:MAX_CANDIDATES])
    if f and g:
        names = sorted(same_person_names(g.split()[0]))
        take(_live_persons().filter(family_norm=f, given_norm__in=names).values_list("pk", flat=True)[:MAX_CANDIDATES])
        take(PersonName.objects.filter(family_norm=f, given_norm__in=names)
             .values_list("person_id", flat=True)[:MAX_CANDIDATES])
    if f:
        words = [w for w in (f, g) if w]
        for model, column in ((_live_persons(), "pk"), (PersonName.objects, "person_id")):
            for word in words:
                keys = model.filter(family_key=matching.phonetic_key(word)) | model.filter(
                    family_norm=word)
                if len(word) >= 3:
                    keys = keys | model.filter(family_norm__startswith=word[:3], given_norm__startswith=(
                        (g if word == f else f) or "")[:1])
                take(keys.values_list(column, flat=True)[:MAX_CANDIDATES])
    if (postcode or address_ids) and len(ids) < MAX_CANDIDATES:
        take(pk for (pk,) in _residents(postcode, address_ids))
    return ids


def _matching_addresses(address: str) -> list[int]:
    """Addresses whose house number or name and street start as typed ('12 Eastgate St')."""
    words = address.split()
    if not words:
        return []
    number = words[0] if any(ch.isdigit() for ch in words[0]) else ""
    street = " ".join(words[1:] if number else words)
    found = Address.objects.all()
    if number:
        found = found.filter(number_or_name__iexact=number)
    if street:
        # The first word of the street narrows enough; "St"/"Street" and "Rd"/"Road" need not agree.
        found = found.filter(street__istartswith=street.split()[0])
    return list(found.values_list("pk", flat=True)[:MAX_CANDIDATES])


_PERSON_COLUMNS = ("id", "reference", "given_name", "family_name", "given_norm", "family_norm", "date_of_birth",
                   "gender", "phone_e164")


def _load_candidates_postgresql(ids: list[int]) -> tuple[dict[int, Person], list[matching.Candidate]]:
    """The candidates with their other names, phones and current postcodes, in one round trip."""
    columns = ", ".join(f"p.{c}" for c in _PERSON_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, "  # noqa: S608
            "ARRAY(SELECT ARRAY[n.kind, n.given_norm, n.family_norm] FROM people_personname n WHERE n.person_id = p.id), "
            "ARRAY(SELECT ph.number FROM people_personphone ph WHERE ph.person_id = p.id), "
            "ARRAY(SELECT a.postcode FROM people_householdmembership m JOIN people_address a ON a.id = m.address_id "
            "WHERE m.person_id = p.id AND m.to_date IS NULL ORDER BY m.from_date DESC) "
            # Merged-away records can still hold a row the survivor already had (the same phone).
            "FROM people_person p WHERE p.id = ANY(%s) AND p.merged_into_id IS NULL",
            [ids],
        )
        rows = cursor.fetchall()
    persons: dict[int, Person] = {}
    built: dict[int, matching.Candidate] = {}
    width = len(_PERSON_COLUMNS)
    for row in rows:
        person = Person(**dict(zip(_PERSON_COLUMNS, row[:width], strict=True)))
        person._state.adding = False
        other_names, phones, postcodes = row[width:]
        person.current_postcodes = tuple(postcodes)
        persons[person.pk] = person
        built[person.pk] = matching.Candidate(
            key=person.pk,
            names=(matching.Name(person.given_norm, person.family_norm),
                   *(matching.Name(given, family, kind) for kind, given, family in other_names)),
            dob=person.date_of_birth,
            phones=tuple(sorted({matching.phone_digits(n) for n in (person.phone_e164, *phones)} - {""})),
            postcodes=tuple(matching.fold_postcode(p) for p in postcodes),
        )
    return persons, [built[pk] for pk in ids if pk in built]


def _load_candidates(ids: list[int]) -> tuple[dict[int, Person], list[matching.Candidate]]:
    if connection.vendor == "postgresql":
        return _load_candidates_postgresql(ids)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids, merged_into__isnull=True).only(
        "reference", "given_name", "family_name", "given_norm", "family_norm", "date_of_birth", "phone_e164")}
    names: dict[int, list[matching.Name]] = {pk: [] for pk in persons}
    for pk, kind, given, family in PersonName.objects.filter(person_id__in=list(persons)).values_list(
            "person_id", "kind", "given_norm", "family_norm"):
        names[pk].append(matching.Name(given, family, kind))
    phones: dict[int, set[str]] = {pk: {matching.phone_digits(p.phone_e164)} - {""} for pk, p in persons.items()}
    for pk, number in PersonPhone.objects.filter(person_id__in=list(persons)).values_list("person_id", "number"):
        phones[pk].add(matching.phone_digits(number))
    postcodes: dict[int, list[str]] = {pk: [] for pk in persons}
    for pk, postcode in HouseholdMembership.objects.filter(person_id__in=list(persons), to_date__isnull=True).values_list(
            "person_id", "address__postcode"):
        postcodes[pk].append(postcode)
    candidates = [
        matching.Candidate(
            key=pk,
            names=(matching.Name(persons[pk].given_norm, persons[pk].family_norm), *names[pk]),
            dob=persons[pk].date_of_birth,
            phones=tuple(sorted(phones[pk])),
            postcodes=tuple(matching.fold_postcode(p) for p in postcodes[pk]),
        )
        for pk in ids if pk in persons
    ]
    for pk, person in persons.items():
        person.current_postcodes = tuple(postcodes[pk])
    return persons, candidates


# The learned weights of the newest run, converted once per run rather than once per search. Keyed by
# id and finish time: an id alone can come back (SQLite reuses ids after a rollback). Which run is the
# newest is asked at most every WEIGHTS_CHECK_SECONDS: the job runs nightly, and on a busy server each
# round trip to the database costs a search milliseconds.
_weights_of_run: dict[tuple[int, Any], matching.Weights] = {}
_weights_checked: list[Any] = [None, 0.0]  # the weights in use, when the newest run was last asked for
WEIGHTS_CHECK_SECONDS = 60.0


def forget_learned_weights() -> None:
    """Ask for the newest run's weights on the next search (after a run, and in tests)."""
    _weights_checked[:] = [None, 0.0]


def call_time_weights() -> matching.Weights:
    """The scorer's weights: those the newest duplicate run learned from the index, the defaults elsewhere.

    One model, two paths: the nightly job trains the Fellegi–Sunter weights (Splink, EM on the
    index itself) and the call-time search adds up the same levels' weights. Levels the run did
    not learn, and every level before any run has finished, keep ``matching.DEFAULT_WEIGHTS``.
    """
    in_use, checked_at = _weights_checked
    if in_use is not None and time.monotonic() - checked_at < WEIGHTS_CHECK_SECONDS:
        return in_use
    newest = (DuplicateRun.objects.filter(finished_at__isnull=False).exclude(weights={})
              .order_by("-finished_at", "-pk").values_list("pk", "finished_at").first())
    if newest is None:
        weights = matching.DEFAULT_WEIGHTS
    else:
        if newest not in _weights_of_run:
            exported = DuplicateRun.objects.values_list("weights", flat=True).get(pk=newest[0])
            _weights_of_run.clear()
            _weights_of_run[newest] = matching.learned_weights(linkage.call_time_weights(exported))
        weights = _weights_of_run[newest]
    _weights_checked[:] = [weights, time.monotonic()]
    return weights


@transaction.atomic
def search_people(
    *,
    actor: Any,
    reason: str,
    name: str | None = None,
    dob: date | matching.PartialDate | None = None,
    phone: str | None = None,
    postcode: str | None = None,
    address: str | None = None,
    query: str | None = None,
    limit: int = 10,
) -> list[SearchResult]:
    """The people most likely to be the one described, best first, with a 0–100 score and the reasons.

    Any of name, (partial) date of birth, phone, postcode or address will do; ``query``
    is one typed box read as a phone number, a postcode or else a name. The
    search is logged as one consultation (subject "people.search") naming the
    fields searched and the records shown. Refusals (no permission, no reason)
    come before any lookup; bad input raises ValidationError naming the field.
    """
    reason = _check(actor, reason)
    if query and query.strip():
        text = " ".join(query.split())
        if _PHONE_LIKE.fullmatch(text) and not phone:
            phone = text
        elif _POSTCODE_LIKE.fullmatch(matching.fold_postcode(text)) and not postcode:
            postcode = text
        elif not name:
            name = text
    errors: dict[str, str] = {}
    for field_name, value in (("name", name), ("phone", phone), ("postcode", postcode), ("address", address),
                              ("reason", reason)):
        if value and not _is_clean_text(value):
            errors[field_name] = f"{field_name.capitalize()} must be text without control characters"
    if errors:
        raise ValidationError(errors)
    partial = matching.PartialDate.of(dob) if dob is not None else None
    if partial is not None:
        try:
            check_partial_dob(partial)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    phone_e164 = ""
    if phone and phone.strip():
        try:
            phone_e164 = normalise_phone(phone, field="phone")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    folded_postcode = matching.fold_postcode(postcode)
    if postcode and postcode.strip() and not 5 <= len(folded_postcode) <= 7:
        errors["postcode"] = "Enter a full postcode, like ST16 2DH"
    if name and len(name) > 200:
        errors["name"] = "Name must be 200 characters or fewer"
    if not 1 <= int(limit) <= MAX_LIMIT:
        errors["limit"] = f"The number of results must be between 1 and {MAX_LIMIT}"
    wanted = matching.Query.build(name=name, dob=partial, phone=phone_e164, postcode=folded_postcode)
    if not errors and wanted.is_empty and not (address or "").strip():
        errors["name"] = "Enter a name, date of birth, phone number, postcode or address to search for"
    if errors:
        raise ValidationError(errors)

    canonical_postcode = f"{folded_postcode[:-3]} {folded_postcode[-3:]}" if folded_postcode else ""
    address_ids = _matching_addresses(address.strip()) if address and address.strip() else []
    find = _candidates_postgresql if connection.vendor == "postgresql" else _candidates_portable
    ids = find(wanted, phone_e164, canonical_postcode, address_ids)
    persons, candidates = _load_candidates(ids)
    ranked = matching.rank(wanted, candidates, limit=int(limit), weights=call_time_weights())
    results = [
        SearchResult(person=persons[m.key], score=m.score, reasons=m.reasons)
        for m in ranked
    ]
    searched = [f for f, v in (("name", name), ("dob", partial), ("phone", phone_e164), ("postcode", folded_postcode),
                               ("address", address_ids or (address or "").strip())) if v]
    record_entry(
        actor=actor, action=Action.CONSULTATION, subject_type="people.search", subject_id=uuid.uuid4().hex,
        reason=reason, detail={"fields": searched, "shown": [r.reference for r in results]},
    )
    return results


# --- one person's record ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonRecord:
    """Everything the index holds on one person, as read for one reason."""

    person: Person
    other_names: list[PersonName]
    phones: list[PersonPhone]
    emails: list[PersonEmail]
    identifiers: list[PersonIdentifier]
    vulnerabilities: list[VulnerabilityMarker]
    memberships: list[HouseholdMembership]
    links: list[dict[str, Any]]
    crime_links: list[PersonLink] = ()
    victim_of: list[Any] = ()

    @property
    def crime_rows(self) -> list[CrimeRow]:
        """The crimes the person is linked to, and those that name them as victim, newest first.

        A crime that names them as victim and is also linked here as victim is listed once, as the link.
        """
        rows = [CrimeRow(link.crime_reference, _classification(link.crime), _status(link.crime),
                         link.get_role_display(), link.recorded_at, link.pk) for link in self.crime_links]
        linked_as_victim = {link.crime_id for link in self.crime_links if link.role == "victim"}
        rows += [CrimeRow(crime.reference, _classification(crime), _status(crime), "Victim", crime.reported_at, None)
                 for crime in self.victim_of if crime.pk not in linked_as_victim]
        return sorted(rows, key=lambda row: row.since, reverse=True)

    @property
    def contact_links(self) -> list[dict[str, Any]]:
        """The contacts the person took part in (their crimes are in ``crime_links``), newest first."""
        return [link for link in self.links if link["kind"] == "contact"]

    @property
    def phone_entries(self) -> list[ContactPoint]:
        """Every number the person can be reached on, the main one first; ``id`` None is a main number with no row."""
        main = self.person.phone_e164
        rows = {phone.number: phone for phone in self.phones}
        entries = []
        if main:
            row = rows.get(main)
            entries.append(ContactPoint(main, row.get_kind_display() if row else "", row.pk if row else None, True))
        entries += [ContactPoint(p.number, p.get_kind_display(), p.pk, False) for p in self.phones if p.number != main]
        return entries

    @property
    def email_entries(self) -> list[ContactPoint]:
        """Every e-mail address, the main one first; ``id`` None is a main address with no row."""
        main = (self.person.email or "").lower()
        rows = {email.address: email for email in self.emails}
        entries = []
        if main:
            row = rows.get(main)
            entries.append(ContactPoint(self.person.email, "", row.pk if row else None, True))
        entries += [ContactPoint(e.address, "", e.pk, False) for e in self.emails if e.address != main]
        return entries


def _classification(crime: Any) -> str:
    if crime is None:
        return "No crime record"
    return crime.classification.name if crime.classification else "Not classified yet"


def _status(crime: Any) -> str:
    return crime.get_status_display() if crime is not None else "Not known"


@dataclass(frozen=True)
class CrimeRow:
    """One crime on a person's record page; ``link_id`` None means the crime itself names them as victim."""

    reference: str
    classification: str
    status: str
    role: str
    since: Any
    link_id: int | None


@dataclass(frozen=True)
class ContactPoint:
    """One phone number or e-mail address as the record page lists it."""

    value: str
    kind: str
    id: int | None
    main: bool


@transaction.atomic
def open_person(*, actor: Any, reason: str, reference: str) -> PersonRecord:
    """A person's whole record (names, contact points, identifiers, vulnerability, addresses, history).

    One consultation entry for the opening. Refusals come before the lookup; a
    reference that matches no one raises Person.DoesNotExist.
    """
    person = get_person(actor=actor, reason=reason, reference=reference)
    return PersonRecord(
        person=person,
        other_names=list(person.other_names.all()),
        phones=list(person.phones.all()),
        emails=list(person.emails.all()),
        identifiers=list(person.identifiers.all()),
        vulnerabilities=list(person.vulnerabilities.all()),
        memberships=list(person.memberships.select_related("address")),
        links=_links(person),
        crime_links=list(person.crime_links.select_related("crime__classification").order_by("-recorded_at", "-id")),
        victim_of=list(crimes_with_victim(person.pk)),
    )


def crimes_with_victim(person_id: int) -> list[Any]:
    """The crimes that name the person as victim, through the crimes app's selector."""
    # Imported here: the crimes app's modules import the person index's when they load.
    from cases.selectors import crimes_with_victim as crimes_naming

    return list(crimes_naming(person_id))


def _links(person: Person) -> list[dict[str, Any]]:
    from contacts.models import ContactPerson  # the contacts app depends on people, not the other way round

    links: list[dict[str, Any]] = [
        {"kind": "contact", "reference": reference, "role": role, "when": when, "what": what}
        for reference, role, when, what in ContactPerson.objects.filter(person=person).values_list(
            "contact__reference", "role", "contact__received_at", "contact__incident_type__name")
    ]
    links += [
        {"kind": "crime", "reference": link.crime_reference, "role": link.role, "when": link.recorded_at,
         "what": link.crime.classification.name if link.crime and link.crime.classification else "",
         "status": link.crime.get_status_display() if link.crime else ""}
        for link in PersonLink.objects.filter(person=person).select_related("crime__classification")
    ]
    return sorted(links, key=lambda item: item["when"], reverse=True)


@transaction.atomic
def person_links(*, actor: Any, reason: str, person: Person) -> list[dict[str, Any]]:
    """A person's contacts and crimes with their role in each, newest first; logged as a consultation."""
    reason = _check(actor, reason)
    links = _links(person)
    record_entry(
        actor=actor, action=Action.CONSULTATION, subject_type="people.person", subject_id=person.pk,
        person_id=person.pk, reason=reason, detail={"as": "history"},
    )
    return links


def addresses_at_postcode(postcode: str, *, limit: int = 100) -> list[Address]:
    """The addresses held at a postcode, in street order, for choosing where someone moved to.

    An address alone is not anyone's personal data (who lives there is), so this read is not logged;
    it shows no residents.
    """
    return list(Address.objects.filter(postcode=postcode).order_by("street", "number_or_name", "id")[:limit])
