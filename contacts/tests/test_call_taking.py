"""Taking a contact through the page: record once, keep what was typed, save drafts, find the caller."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from contacts.forms import format_local
from contacts.models import Contact, ContactDraft, ContactPerson, IncidentType
from people.models import Person
from people.services import record_address, record_person

NEW = reverse("contacts:new")


@pytest.fixture
def handler_client(client, call_handler):
    client.force_login(call_handler)
    return client


def _form(**changes):
    received = timezone.now() - timedelta(minutes=4)
    values = {
        "form_token": "token-abc", "channel": "101",
        "incident_type": str(IncidentType.objects.get(code="shoplifting").pk),
        "location_text": "Tesco Express, Main Street", "summary": "A man took razor blades and ran off",
        "received_at": format_local(received), "answered_at": format_local(received + timedelta(minutes=1)),
        "caller": "new", "caller_given_name": "Sam", "caller_family_name": "Okafor", "caller_phone": "07700 900 982",
    }
    values.update(changes)
    return values


def test_the_page_offers_a_fresh_form_with_a_one_off_token(handler_client):
    first = handler_client.get(NEW)
    second = handler_client.get(NEW)
    assert first.status_code == 200
    assert first.context["form"].initial["form_token"] != second.context["form"].initial["form_token"]
    assert b"Take a contact" in first.content


def test_a_double_submit_records_one_contact(handler_client):
    first = handler_client.post(NEW, _form())
    second = handler_client.post(NEW, _form())
    assert Contact.objects.count() == 1
    contact = Contact.objects.get()
    assert first.url == second.url == reverse("contacts:detail", args=[contact.reference])
    caller = Person.objects.get(family_name="Okafor")
    assert caller.phone_e164 == "+447700900982"
    assert contact.caller == caller
    assert list(ContactPerson.objects.filter(contact=contact).values_list("role", flat=True)) == ["caller"]


def test_a_validation_error_keeps_every_field_and_names_the_field(handler_client):
    response = handler_client.post(NEW, _form(incident_type="", latitude="52.8"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["incident_type"] == ["Select what happened"]
    assert form.errors["longitude"] == ["Give both the latitude and the longitude of the map point, or neither"]
    html = response.content.decode()
    for typed in ("A man took razor blades and ran off", "Tesco Express, Main Street", "Okafor", "07700 900 982"):
        assert typed in html
    assert not Contact.objects.exists()


def test_an_unknown_person_reference_is_refused_naming_the_row(handler_client):
    response = handler_client.post(NEW, _form(person_1="P99999999", person_1_role="victim"))
    assert response.status_code == 400
    assert response.context["form"].errors["person_1"] == [
        "No person has the reference P99999999; check it or search again"
    ]


def test_finding_the_caller_lists_matches_logs_each_view_and_records_nothing(handler_client, call_handler):
    person = record_person(actor=call_handler, given_name="Priya", family_name="Shah")
    response = handler_client.post(NEW, _form(caller="", caller_query=person.reference, action="find_caller"))
    assert response.status_code == 200
    assert person.reference in [value for value, _ in response.context["form"].fields["caller"].choices]
    assert "A man took razor blades and ran off" in response.content.decode()
    assert not Contact.objects.exists()
    viewed = AuditEntry.objects.get(action=Action.CONSULTATION, person_id=str(person.pk))
    assert viewed.reason == "Taking a new contact by 101"


def test_finding_the_address_by_postcode_offers_it_to_choose(handler_client):
    address = record_address(number_or_name="12", street="Eastgate Street", postcode="st16 2dh", town="Stafford")
    response = handler_client.post(NEW, _form(address_query="ST162DH", action="find_address"))
    assert (str(address.pk), str(address)) in response.context["form"].fields["address"].choices


def test_the_draft_is_saved_as_the_handler_types_restored_and_closed_by_recording(handler_client, call_handler):
    saved = handler_client.post(reverse("contacts:autosave"), _form(summary="Half typed"))
    assert saved.status_code == 200
    assert b"Draft saved at" in saved.content
    draft = ContactDraft.objects.get(handler=call_handler, form_token="token-abc")
    assert draft.data["summary"] == "Half typed"

    # The browser closed; the handler comes back to the queue and resumes.
    queue = handler_client.get(reverse("contacts:queue"))
    assert "?draft=token-abc" in queue.content.decode()
    restored = handler_client.get(NEW, {"draft": "token-abc"})
    assert "Half typed" in restored.content.decode()
    assert restored.context["form"]["caller_family_name"].value() == "Okafor"

    handler_client.post(NEW, _form(summary="Finished"))
    assert not ContactDraft.objects.exists()
    # A late autosave from a tab still open cannot bring the recorded contact's draft back.
    late = handler_client.post(reverse("contacts:autosave"), _form())
    assert late.status_code == 409
    assert not ContactDraft.objects.exists()


def test_another_handlers_draft_is_not_restored(client, make_user, call_handler):
    ContactDraft.objects.create(handler=call_handler, form_token="theirs", data={"summary": "Private"})
    other = make_user("call-handler", username="handler2")
    client.force_login(other)
    response = client.get(NEW, {"draft": "theirs"})
    assert "Private" not in response.content.decode()


def test_staff_who_do_not_take_contacts_are_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(NEW).status_code == 403
    assert client.post(reverse("contacts:autosave"), _form()).status_code == 403
    assert not ContactDraft.objects.exists()


def test_the_contact_page_shows_the_record_and_the_history_beside_it(handler_client, call_handler):
    address = record_address(number_or_name="3", street="Mill Lane", postcode="ST16 1AA")
    caller = record_person(actor=call_handler, given_name="Ann", family_name="Lee", address=address)
    handler_client.post(NEW, _form(caller=caller.reference, address=str(address.pk), caller_query=caller.reference))
    contact = Contact.objects.get()
    response = handler_client.get(reverse("contacts:detail", args=[contact.reference]))
    html = response.content.decode()
    assert "Ann Lee" in html
    assert "3 Mill Lane" in html
    assert response.context["panel"].residents[0].person == caller
    assert AuditEntry.objects.filter(
        action=Action.CONSULTATION, person_id=str(caller.pk), reason=f"Contact {contact.reference}"
    ).exists()


def test_a_contact_that_reports_a_crime_opens_a_crime_record_and_others_do_not(handler_client):
    from cases.models import Crime

    handler_client.post(NEW, _form())
    contact = Contact.objects.get()
    crime = Crime.objects.get(contact=contact)
    assert crime.reported_at == contact.received_at
    page = handler_client.get(reverse("contacts:detail", args=[contact.reference]))
    assert crime.reference in page.content.decode()

    handler_client.post(NEW, _form(form_token="token-noise", incident_type=str(IncidentType.objects.get(code="noise").pk)))
    assert Crime.objects.count() == 1


def test_finding_the_caller_by_name_uses_the_person_index_search(handler_client, call_handler):
    person = record_person(actor=call_handler, given_name="Bethany", family_name="Okonkwo")
    response = handler_client.post(NEW, _form(caller="", caller_query="Bethany Okonkwo", action="find_caller"))
    assert person.reference in [value for value, _ in response.context["form"].fields["caller"].choices]
    assert not Contact.objects.exists()


def test_the_form_is_laid_out_under_caller_where_and_what_happened_with_every_field_once(handler_client):
    """The form is laid out in sections (each reached by a keyboard shortcut): no field lost, doubled or moved."""
    response = handler_client.post(NEW, _form(incident_type=""))
    html = response.content.decode()
    assert '<a href="#id_incident_type">Select what happened</a>' in html  # the error summary is still there
    form = response.context["form"]
    for name, field in form.fields.items():
        if getattr(field.widget, "input_type", "") != "radio":
            assert html.count(f'name="{name}"') == (2 if name == "form_token" else 1), name  # discard has the token
    markers = ('name="channel"', 'id="caller"', ">Caller</h2>", 'name="caller_query"', 'name="caller_phone"', 'id="where"',
               'name="address_query"', 'name="longitude"', 'id="what-happened"', 'name="incident_type"',
               'name="closed_at"', 'name="person_3_role"', 'value="record"')
    positions = [html.index(marker, html.index('data-testid="contact-form"')) for marker in markers]
    assert positions == sorted(positions)
