"""The demo force: reproducible, audited, and shaped by the real data it is built from."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from audit.chain import CONTENT_FIELDS, verify_chain
from audit.models import Action, AuditEntry, ChainHead
from contacts.models import Contact, ContactPerson
from firstcontact.demo.generate import history_window, hour_of_week
from firstcontact.demo.seed import demo_digest
from firstcontact.demo.sources import load_sources
from people.models import Address, HouseholdMembership, Person

UNTIL = "2026-06-01"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--until", UNTIL, verbosity=0, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def sources():
    return load_sources(settings.DATA_DIR)


@pytest.fixture
def seeded(db):
    seed("--seed", "42")


def test_same_seed_and_until_give_identical_data_and_another_seed_differs(db):
    seed("--seed", "7", "--scale", "0.1")
    first = demo_digest()
    seed("--seed", "7", "--scale", "0.1", "--reset")
    assert demo_digest() == first
    seed("--seed", "8", "--scale", "0.1", "--reset")
    assert demo_digest() != first


def test_seeding_again_does_nothing(db):
    seed("--seed", "7", "--scale", "0.1")
    counts = (Person.objects.count(), Contact.objects.count(), AuditEntry.objects.count())
    message = seed("--seed", "7", "--scale", "0.1")
    assert "already seeded" in message
    assert (Person.objects.count(), Contact.objects.count(), AuditEntry.objects.count()) == counts


def test_audit_chain_verifies_and_every_person_and_contact_has_a_collection_entry(seeded):
    rows = AuditEntry.objects.order_by("seq").values(*CONTENT_FIELDS, "entry_hash")
    head = ChainHead.objects.get(pk=1)
    result = verify_chain(rows.iterator(), head_seq=head.seq, head_hash=head.last_hash)
    assert result.ok, result.problem
    collected = AuditEntry.objects.filter(action=Action.COLLECTION, actor_label="system: seed_demo")
    person_ids = set(collected.filter(subject_type="people.person").values_list("subject_id", flat=True))
    assert person_ids == {str(pk) for pk in Person.objects.values_list("pk", flat=True)}
    contact_ids = set(collected.filter(subject_type="contacts.contact").values_list("subject_id", flat=True))
    assert contact_ids == {str(pk) for pk in Contact.objects.values_list("pk", flat=True)}


def test_default_size_and_households(seeded):
    assert 4_000 <= Person.objects.count() <= 10_000
    assert 8_000 <= Contact.objects.count() <= 20_000
    current = HouseholdMembership.objects.filter(to_date__isnull=True)
    sizes = Counter(current.values("address").annotate(n=Count("person")).values_list("n", flat=True))
    assert sum(v for k, v in sizes.items() if k >= 3) > 200  # many households of several people
    assert max(sizes) <= 6
    # Families often share a family name.
    shared = 0
    for address_id in current.values_list("address", flat=True).distinct()[:300]:
        names = list(Person.objects.filter(memberships__address_id=address_id,
                                           memberships__to_date__isnull=True).values_list("family_name", flat=True))
        if len(names) >= 2 and len(set(names)) < len(names):
            shared += 1
    assert shared > 60


def test_addresses_lie_in_the_force_area_with_district_postcodes(seeded, sources):
    min_lon, min_lat, max_lon, max_lat = sources.gazetteer.bbox
    coords = np.array(list(Address.objects.values_list("longitude", "latitude")))
    assert (coords[:, 0] >= min_lon).all() and (coords[:, 0] <= max_lon).all()
    assert (coords[:, 1] >= min_lat).all() and (coords[:, 1] <= max_lat).all()
    areas = Counter(pc.split()[0].rstrip("0123456789") for pc in Address.objects.values_list("postcode", flat=True))
    assert set(areas) <= {"ST", "WS", "DE", "B", "WV"}
    assert areas.most_common(1)[0][0] == "ST"  # Stoke-on-Trent and the north of the county dominate
    streets = set(Address.objects.values_list("street", flat=True))
    assert streets <= set(sources.gazetteer.street_name)
    assert "Supermarket" not in streets


def test_contacts_follow_the_real_hour_of_week_profile_and_channel_mix(seeded, sources):
    received = np.array([int(t.timestamp()) for t in Contact.objects.values_list("received_at", flat=True)])
    generated = np.bincount(hour_of_week(received), minlength=168)
    real = sources.profile_999 + sources.profile_101
    assert np.corrcoef(generated, real)[0, 1] > 0.8
    start, end = history_window(date.fromisoformat(UNTIL))
    assert received.min() >= start.timestamp() and received.max() < end.timestamp()
    assert (end - start).days in (730, 731)
    channels = Counter(Contact.objects.values_list("channel", flat=True))
    total = sum(channels.values())
    assert abs(channels["999"] / total - 0.25) < 0.03
    assert abs(channels["101"] / total - 0.53) < 0.03
    assert abs(channels["online"] / total - 0.14) < 0.03


def test_repeat_callers_and_repeat_locations_exist(seeded):
    per_caller = Counter(Contact.objects.exclude(caller=None).values_list("caller", flat=True))
    per_address = Counter(Contact.objects.exclude(address=None).values_list("address", flat=True))
    assert sum(1 for n in per_caller.values() if n >= 5) >= 20
    assert max(per_address.values()) >= 8
    # Shoplifting happens in shops, not at home.
    shop_contacts = Contact.objects.filter(incident_type__code="shoplifting")
    assert shop_contacts.exists()
    assert not shop_contacts.exclude(address=None).exists()
    assert ContactPerson.objects.filter(role="suspect").exists()


def test_missing_data_dir_names_the_setting(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "nowhere"
    with pytest.raises(CommandError, match="FIRSTCONTACT_DATA_DIR"):
        seed("--seed", "1")
    assert not Person.objects.exists()


def test_bad_until_names_the_option(db):
    with pytest.raises(CommandError, match="--until"):
        call_command("seed_demo", "--until", "31/12/2025", verbosity=0)
