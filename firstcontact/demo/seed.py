"""Load a generated demo force into the database, with a collection entry in the audit log for each record.

The generator (``firstcontact.demo.generate``) decides what the force contains; this
module only turns its columns into rows, in batches, inside one transaction, so a
seed either completes or leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, transaction

from audit.models import Action
from audit.services import PendingEntry, append_entries
from contacts.models import Contact, ContactPerson, IncidentType, contact_reference
from people.models import Address, HouseholdMembership, Person, person_reference
from people.services import search_columns

from .generate import DemoForce, IncidentTypeInfo, generate_demo_force, sizes_for_scale
from .sources import load_sources

ACTOR_LABEL = "system: seed_demo"
BATCH_SIZE = 5_000
SEEDED_MODELS = (Address, Person, HouseholdMembership, Contact, ContactPerson)


class AlreadySeeded(Exception):
    """The database already holds persons, addresses or contacts; seeding again would mix two forces."""


@dataclass(frozen=True)
class SeedResult:
    addresses: int
    persons: int
    memberships: int
    contacts: int
    contact_people: int
    audit_entries: int


class ProgressBar(Protocol):
    def update(self, n: int) -> object: ...
    def close(self) -> object: ...


class _Silent:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


Progress = Callable[[str, int], ProgressBar]


def _no_progress(label: str, total: int) -> ProgressBar:  # noqa: ARG001 - same shape as a tqdm factory
    return _Silent()


def _counted(items: Iterable, bar: ProgressBar, every: int = BATCH_SIZE) -> Iterator:
    """Pass items through, moving the bar every ``every`` items."""
    count = 0
    for item in items:
        yield item
        count += 1
        if count == every:
            bar.update(count)
            count = 0
    bar.update(count)
    bar.close()


def existing_counts() -> dict[str, int]:
    return {model._meta.verbose_name_plural: model.objects.count() for model in (Person, Address, Contact)}


def is_seeded() -> bool:
    return Person.objects.exists() or Address.objects.exists() or Contact.objects.exists()


def _when(seconds: int) -> datetime | None:
    return None if seconds < 0 else datetime.fromtimestamp(int(seconds), UTC)


def _day(value: np.datetime64) -> date | None:
    return None if np.isnat(value) else value.astype(object)


def _batches(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, BATCH_SIZE):
        yield start, min(start + BATCH_SIZE, total)


def _insert(model, columns: list[str], total: int, build: Callable[[int, int], list[tuple]],
            progress: Progress) -> None:
    """Insert rows of plain values with one prepared statement per batch.

    The ORM's bulk_create compiles every value through its field (and SQLite's 999-parameter
    limit cuts batches to ~60 rows); at a million rows that costs minutes, so generated rows,
    already validated by construction, go straight to ``executemany``.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    bar = progress(str(model._meta.verbose_name_plural), total)
    with connection.cursor() as cursor:
        for start, stop in _batches(total):
            cursor.executemany(sql, build(start, stop))
            bar.update(stop - start)
    bar.close()


def incident_type_info() -> tuple[list[IncidentTypeInfo], dict[str, int]]:
    rows = list(IncidentType.objects.filter(active=True).order_by("code"))
    info = [IncidentTypeInfo(t.code, t.name, t.category, t.police_uk_category) for t in rows]
    return info, {t.code: t.pk for t in rows}


def build_force(*, seed: int, until: date, scale: float) -> DemoForce:
    """Generate (without saving) the demo force for a seed, an end date and a scale."""
    sources = load_sources(settings.DATA_DIR)
    types, _ = incident_type_info()
    n_persons, n_contacts = sizes_for_scale(scale)
    return generate_demo_force(
        np.random.default_rng(seed), sources, types, until=until, n_persons=n_persons, n_contacts=n_contacts
    )


def _audit_entries(force: DemoForce, detail: dict) -> Iterator[PendingEntry]:
    for i in range(len(force.persons)):
        pk = str(i + 1)
        yield PendingEntry(
            action=Action.COLLECTION, subject_type="people.person", subject_id=pk, person_id=pk,
            actor_label=ACTOR_LABEL, detail=detail,
        )
    callers = force.contacts.caller
    for i in range(len(force.contacts)):
        caller = int(callers[i])
        yield PendingEntry(
            action=Action.COLLECTION, subject_type="contacts.contact", subject_id=str(i + 1),
            person_id="" if caller < 0 else str(caller + 1), actor_label=ACTOR_LABEL, detail=detail,
        )


def seed_demo_force(*, force: DemoForce, seed: int, progress: Progress = _no_progress) -> SeedResult:
    """Insert a generated force into an empty database and log a collection entry per person and contact.

    DPA 2018 Part 3 s.62: collection of personal data is logged, in the same
    transaction as the data itself.
    """
    _, type_ids = incident_type_info()
    with transaction.atomic():
        if is_seeded():
            raise AlreadySeeded(existing_counts())
        a, p, m, c, cp = force.addresses, force.persons, force.memberships, force.contacts, force.contact_people

        stamp = connection.ops.adapt_datetimefield_value
        day = connection.ops.adapt_datefield_value
        created = stamp(force.window_start)

        def when(seconds: int):
            return stamp(_when(seconds))

        def addresses(start: int, stop: int) -> list[tuple]:
            return [
                (i + 1, a.number_or_name[i], a.street[i], a.locality[i], a.town[i], a.postcode[i], "",
                 a.lsoa_code[i], float(a.latitude[i]), float(a.longitude[i]), created)
                for i in range(start, stop)
            ]

        def persons(start: int, stop: int) -> list[tuple]:
            rows = []
            for i in range(start, stop):
                keys = search_columns(p.given_name[i], p.family_name[i])
                rows.append((
                    i + 1, person_reference(i + 1), p.given_name[i], p.family_name[i], day(_day(p.date_of_birth[i])),
                    p.gender[i], p.phone_e164[i], p.email[i], when(p.created_at[i]), when(p.created_at[i]),
                    keys["given_norm"], keys["family_norm"], keys["given_key"], keys["family_key"],
                ))
            return rows

        def memberships(start: int, stop: int) -> list[tuple]:
            return [
                (i + 1, int(m.person[i]) + 1, int(m.address[i]) + 1, day(_day(m.from_date[i])),
                 day(_day(m.to_date[i])))
                for i in range(start, stop)
            ]

        def contacts(start: int, stop: int) -> list[tuple]:
            rows = []
            for i in range(start, stop):
                caller, address = int(c.caller[i]), int(c.address[i])
                received = when(c.received_at[i])
                rows.append((
                    i + 1, contact_reference(i + 1), c.channel[i], received, when(c.answered_at[i]),
                    when(c.closed_at[i]), None if caller < 0 else caller + 1, None if address < 0 else address + 1,
                    c.location_text[i], float(c.latitude[i]), float(c.longitude[i]), type_ids[c.incident_type[i]],
                    int(c.grade[i]), c.summary[i], None, received, "",
                ))
            return rows

        def contact_people(start: int, stop: int) -> list[tuple]:
            return [(i + 1, int(cp.contact[i]) + 1, int(cp.person[i]) + 1, cp.role[i]) for i in range(start, stop)]

        _insert(Address, ["id", "number_or_name", "street", "locality", "town", "postcode", "uprn", "lsoa_code",
                          "latitude", "longitude", "created_at"], len(a), addresses, progress)
        _insert(Person, ["id", "reference", "given_name", "family_name", "date_of_birth", "gender", "phone_e164",
                         "email", "created_at", "updated_at", "given_norm", "family_norm", "given_key", "family_key"],
                len(p), persons, progress)
        _insert(HouseholdMembership, ["id", "person", "address", "from_date", "to_date"], len(m), memberships,
                progress)
        _insert(Contact, ["id", "reference", "channel", "received_at", "answered_at", "closed_at", "caller",
                          "address", "location_text", "latitude", "longitude", "incident_type", "grade", "summary",
                          "handled_by", "created_at", "route"], len(c), contacts, progress)
        _insert(ContactPerson, ["id", "contact", "person", "role"], len(cp), contact_people, progress)
        _reset_sequences()
        total = len(p) + len(c)
        entries = _counted(_audit_entries(force, {"source": "seed_demo", "seed": seed}), progress("audit entries", total))
        logged = append_entries(entries, batch_size=BATCH_SIZE, chain_now=True)
    _analyze()
    return SeedResult(len(a), len(p), len(m), len(c), len(cp), logged)


def _analyze() -> None:
    """Refresh PostgreSQL's planner statistics for the tables just loaded.

    Without them the planner guesses after a bulk load. Measured on the 1,000,000-contact force
    with autovacuum off: the history panel's people-to-contacts query was planned as a hash join
    over a sequential scan of every contact in the window, 416 ms; after ANALYZE, index lookups
    of 4.6 ms per panel.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in SEEDED_MODELS:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids given explicitly, so later inserts do not collide."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(SEEDED_MODELS))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def reset_demo_force(*, progress: Progress = _no_progress) -> int:
    """Erase the demo force (demo mode only), logging an erasure entry for each person and contact.

    The audit log itself is append-only and keeps the collection and erasure entries.
    """
    if not settings.DEMO:
        raise ImproperlyConfigured("The demo force may only be reset in demo mode (FIRSTCONTACT_MODE=demo).")
    with transaction.atomic():
        detail = {"source": "seed_demo --reset"}
        person_ids = Person.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH_SIZE)
        contacts = Contact.objects.order_by("pk").values_list("pk", "caller_id").iterator(chunk_size=BATCH_SIZE)

        def entries() -> Iterator[PendingEntry]:
            for pk in person_ids:
                yield PendingEntry(action=Action.ERASURE, subject_type="people.person", subject_id=str(pk),
                                   person_id=str(pk), actor_label=ACTOR_LABEL, detail=detail)
            for pk, caller in contacts:
                yield PendingEntry(action=Action.ERASURE, subject_type="contacts.contact", subject_id=str(pk),
                                   person_id="" if caller is None else str(caller), actor_label=ACTOR_LABEL,
                                   detail=detail)

        total = Person.objects.count() + Contact.objects.count()
        logged = append_entries(_counted(entries(), progress("erasure entries", total)), batch_size=BATCH_SIZE, chain_now=True)
        # Whole tables go at once: Django's cascade collector would load every row into memory.
        with connection.cursor() as cursor:
            for model in reversed(SEEDED_MODELS):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    return logged


def demo_digest() -> str:
    """SHA-256 over every row the seed writes, in id order: equal digests mean identical demo forces."""
    digest = hashlib.sha256()
    for model in SEEDED_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields).iterator(chunk_size=BATCH_SIZE):
            digest.update(repr(row).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()
