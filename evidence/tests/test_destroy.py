"""Destroying an exhibit: the file leaves storage, the reference, hash and custody stay, and only a
supervisor or the data protection officer may authorise it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from audit.models import AuditEntry
from cases.services import close_crime
from cases.tests.factories import routed_crime
from evidence import samples, services
from evidence.models import CustodyEvent, Exhibit


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor", username="super1", first_name="Sam", last_name="Supervisor")


@pytest.fixture
def routed(call_handler):
    """A crime routed to a resolution centre; each test closes it when it needs it closed."""
    return routed_crime(actor=call_handler)


def _exhibit(crime, actor, seed: int = 1) -> Exhibit:
    data = samples.png(seed=seed)
    return services.receive_file(actor=actor, description="Photo of the damaged door", produced_by="Jo Smith",
                                 file=io.BytesIO(data), filename="door.png", size=len(data), crime=crime)


def test_a_destroyed_exhibit_loses_its_file_and_keeps_its_hash_and_custody(
        routed, investigator, supervisor, django_capture_on_commit_callbacks):
    exhibit = _exhibit(routed, investigator)
    stored, sha256 = exhibit.file.name, exhibit.sha256
    close_crime(crime=routed, actor=supervisor, outcome=18)
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        event = services.destroy_exhibit(exhibit=exhibit, actor=investigator, authorised_by=supervisor,
                                         reason="Crime closed with no further action; retention period over")

    assert not default_storage.exists(stored)
    exhibit.refresh_from_db()
    assert exhibit.destroyed and exhibit.file.name == "" and exhibit.sha256 == sha256
    assert exhibit.reference == "JS/1"
    assert event.event == CustodyEvent.Event.DESTROYED
    assert event.actor == investigator and event.authorised_by == supervisor and event.authorised_by_label == "super1"
    assert event.reason.startswith("Crime closed with no further action")
    assert event.detail["sha256"] == sha256 and event.detail["size"] == exhibit.size
    # The whole chain is kept: received, then destroyed.
    assert list(CustodyEvent.objects.filter(exhibit=exhibit).values_list("event", flat=True)) == ["received", "destroyed"]
    entry = AuditEntry.objects.get(subject_type="evidence.exhibit", subject_id=str(exhibit.pk), action="erasure")
    assert entry.detail["authorised_by"] == "super1" and entry.detail["sha256"] == sha256
    assert entry.person_id == str(routed.victim_id)


def test_destroying_twice_adds_nothing(routed, investigator, supervisor, django_capture_on_commit_callbacks):
    exhibit = _exhibit(routed, investigator)
    close_crime(crime=routed, actor=supervisor, outcome=18)
    with django_capture_on_commit_callbacks(execute=True):
        services.destroy_exhibit(exhibit=exhibit, actor=supervisor, reason="No further action")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.destroy_exhibit(exhibit=exhibit, actor=supervisor, reason="No further action")
    assert again is None
    assert CustodyEvent.objects.filter(exhibit=exhibit, event="destroyed").count() == 1
    assert AuditEntry.objects.filter(subject_type="evidence.exhibit", action="erasure").count() == 1


def test_the_file_is_removed_only_when_the_decision_commits(routed, investigator, supervisor):
    """Inside a transaction that is rolled back, the file stays and nothing is recorded."""
    from django.db import transaction

    exhibit = _exhibit(routed, investigator)
    close_crime(crime=routed, actor=supervisor, outcome=18)

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        services.destroy_exhibit(exhibit=exhibit, actor=supervisor, reason="No further action")
        raise Abandon
    exhibit.refresh_from_db()
    assert not exhibit.destroyed and default_storage.exists(exhibit.file.name)
    assert not CustodyEvent.objects.filter(event="destroyed").exists()


def test_a_failed_removal_is_finished_later(routed, investigator, supervisor, django_capture_on_commit_callbacks):
    """The record commits first; a file the storage did not remove is removed by finish_destructions."""
    exhibit = _exhibit(routed, investigator)
    close_crime(crime=routed, actor=supervisor, outcome=18)
    # The decision commits, but its removal step never runs (as if the storage had been unreachable).
    services.destroy_exhibit(exhibit=exhibit, actor=supervisor, reason="No further action")
    exhibit.refresh_from_db()
    stored = exhibit.file.name
    assert exhibit.destroyed and default_storage.exists(stored)
    assert services.finish_destructions() == 1
    exhibit.refresh_from_db()
    assert not default_storage.exists(stored) and exhibit.file.name == ""
    assert services.finish_destructions() == 0


@pytest.mark.parametrize("role", ["investigator", "resolution-investigator", "call-handler"])
def test_only_a_supervisor_or_the_dpo_may_authorise(routed, investigator, supervisor, make_user, role):
    exhibit = _exhibit(routed, investigator)
    close_crime(crime=routed, actor=supervisor, outcome=18)
    someone = make_user(role, username=f"u-{role}")
    with pytest.raises(PermissionDenied, match="supervisor or the data protection officer"):
        services.destroy_exhibit(exhibit=exhibit, actor=someone, reason="No further action")
    exhibit.refresh_from_db()
    assert not exhibit.destroyed and default_storage.exists(exhibit.file.name)


def test_the_dpo_may_authorise(routed, investigator, supervisor, dpo, django_capture_on_commit_callbacks):
    exhibit = _exhibit(routed, investigator)
    close_crime(crime=routed, actor=supervisor, outcome=18)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.destroy_exhibit(exhibit=exhibit, actor=dpo, reason="Retention review")
    assert event.authorised_by == dpo


def test_evidence_of_an_open_crime_is_not_destroyed_and_a_reason_is_needed(routed, investigator, supervisor):
    exhibit = _exhibit(routed, investigator)
    with pytest.raises(ValidationError) as error:
        services.destroy_exhibit(exhibit=exhibit, actor=supervisor, reason="No further action")
    assert "still open" in error.value.message_dict["exhibit"][0]
    close_crime(crime=routed, actor=supervisor, outcome=18)
    with pytest.raises(ValidationError) as error:
        services.destroy_exhibit(exhibit=exhibit, actor=supervisor, reason="  ")
    assert error.value.message_dict["reason"] == [services.DESTROY_REASON_REQUIRED]
    assert default_storage.exists(exhibit.file.name)


def test_pages_show_a_destroyed_exhibit_and_refuse_its_content(
        client, routed, investigator, supervisor, django_capture_on_commit_callbacks):
    exhibit = _exhibit(routed, investigator)
    kept = _exhibit(routed, investigator, seed=2)
    close_crime(crime=routed, actor=supervisor, outcome=18)
    with django_capture_on_commit_callbacks(execute=True):
        services.destroy_exhibit(exhibit=exhibit, actor=supervisor, reason="No further action")
    client.force_login(supervisor)
    page = client.get(reverse("evidence:exhibit", args=[exhibit.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="exhibit-destroyed"' in body and exhibit.sha256 in body
    assert "authorised by super1" in body and 'data-testid="exhibit-media"' not in body
    assert client.get(reverse("evidence:exhibit-content", args=[exhibit.pk])).status_code == 410
    with pytest.raises(ValidationError):
        services.open_exhibit(exhibit=Exhibit.objects.get(pk=exhibit.pk), actor=supervisor, event="viewed")
    crime_page = client.get(reverse("evidence:crime", args=[routed.reference])).content.decode()
    assert "Destroyed" in crime_page
    # A package made now holds only what still exists.
    package = services.produce_evidential_package(crime=routed, recipient="CPS Direct", reason="Advice",
                                                   actor=supervisor)
    assert list(package.exhibits.all()) == [kept]
