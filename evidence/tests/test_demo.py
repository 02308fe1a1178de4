"""The demo force's evidence: real files through the real services, once."""

from __future__ import annotations

from cases.models import Crime, CrimeStatus
from cases.services import record_crime_from_contact
from cases.tests.factories import crime_contact
from evidence.demo import seed_demo_evidence
from evidence.models import CustodyEvent, EvidentialPackage, Exhibit, Statement, UploadLink


def test_seeding_gives_open_crimes_evidence_and_running_it_again_adds_nothing(call_handler):
    crimes = [record_crime_from_contact(contact=crime_contact(actor=call_handler), actor=call_handler) for _ in range(2)]
    Crime.objects.filter(pk__in=[c.pk for c in crimes]).update(status=CrimeStatus.RECORDED)
    first = seed_demo_evidence()
    assert (first.crimes, first.exhibits, first.statements, first.packages) == (2, 7, 2, 1)
    assert set(Exhibit.objects.values_list("kind", flat=True)) == {"image", "audio", "document"}
    cctv = Exhibit.objects.get(link__isnull=False)
    assert cctv.cctv_clock_offset_seconds == 95 and UploadLink.objects.get().used_at is not None
    assert CustodyEvent.objects.filter(event="disclosed").count() == 1 + 4 + 1  # the package, its exhibits, its statement
    again = seed_demo_evidence()
    assert again.crimes == 0
    assert (Exhibit.objects.count(), Statement.objects.count(), EvidentialPackage.objects.count()) == (7, 2, 1)
