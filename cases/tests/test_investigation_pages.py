"""Investigation pages through HTTP: who may open them, take next, forms that keep what was typed."""

from __future__ import annotations

from django.urls import reverse

from audit.models import Action, AuditEntry
from cases import services
from cases.models import Investigation, InvestigationState

from .factories import routed_crime


def test_the_queue_and_the_investigation_page_are_refused_to_others(client, call_handler, make_user, hanley):
    crime = routed_crime(actor=call_handler)
    client.force_login(make_user("analyst"))
    assert client.get(reverse("cases:resolution-queue")).status_code == 403
    assert client.get(reverse("cases:investigation", args=[crime.reference])).status_code == 403
    assert client.get(reverse("cases:bureau-tasks")).status_code == 403


def test_take_next_sweeps_routed_crimes_into_the_queue_and_allocates_one(client, call_handler, resolver, hanley):
    crime = routed_crime(actor=call_handler)
    client.force_login(resolver)
    response = client.post(reverse("cases:take-next"), {"team": hanley.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:investigation", args=[crime.reference])
    inv = Investigation.objects.get(crime=crime)
    assert inv.state == InvestigationState.ALLOCATED and inv.investigator == resolver
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Contact the victim by" in page.content
    # Showing the victim's name and phone is a logged consultation with its purpose.
    assert AuditEntry.objects.filter(action=Action.CONSULTATION, person_id=str(crime.victim_id),
                                     detail__event="investigation_viewed").exists()
    empty = client.post(reverse("cases:take-next"), {"team": hanley.pk}, follow=True)
    assert b"queue is empty" in empty.content


def test_queue_page_lists_waiting_crimes_and_workload(client, call_handler, resolver, supervisor, hanley):
    crimes = [routed_crime(actor=call_handler) for _ in range(3)]
    services.queue_routed_crimes(actor=call_handler)
    services.allocate_investigation(crime=crimes[0], actor=supervisor, investigator=resolver)
    client.force_login(supervisor)
    html = client.get(reverse("cases:resolution-queue")).content.decode()
    queue, workload = html.split('data-testid="workload"')
    assert "Waiting (2)" in queue and crimes[1].reference in queue and crimes[0].reference not in queue
    assert resolver.get_full_name() in workload


def test_a_bad_enquiry_keeps_what_was_typed_and_names_the_field(client, call_handler, resolver):
    crime = routed_crime(actor=call_handler)
    client.force_login(resolver)
    response = client.post(reverse("cases:add-enquiry", args=[crime.reference]), {
        "enquiry-title": "Trace the getaway car", "enquiry-due_on_day": "31", "enquiry-due_on_month": "2",
        "enquiry-due_on_year": "2027", "enquiry-form_token": "tok",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "Due by must be a real date" in html and 'value="Trace the getaway car"' in html
    assert "<title>Error: Investigation" in html
    assert crime.enquiries.count() == 0


def test_only_a_supervisor_reviews_closes_and_reopens(client, call_handler, resolver, supervisor):
    crime = routed_crime(actor=call_handler)
    client.force_login(resolver)
    form = {"review-risk": "Low", "review-quality": "good", "review-form_token": "r1"}
    assert client.post(reverse("cases:record-review", args=[crime.reference]), form).status_code == 403
    client.force_login(supervisor)
    assert client.post(reverse("cases:record-review", args=[crime.reference]), form).status_code == 302
    assert client.post(reverse("cases:record-review", args=[crime.reference]), form).status_code == 302
    assert crime.reviews.count() == 1  # the same form sent twice records one review
    response = client.post(reverse("cases:close-investigation", args=[crime.reference]), {"close-outcome": ""})
    assert response.status_code == 400 and "Select outcome" in response.content.decode()


def test_bureau_tasks_page_takes_and_completes(client, call_handler, resolver, make_user):
    crime = routed_crime(actor=call_handler)
    task = services.request_bureau_task(crime=crime, actor=resolver, kind="classification_check",
                                        instructions="Is this 46 or 49?")
    bureau = make_user("crime-admin", username="cleo")
    client.force_login(bureau)
    assert "Is this 46 or 49?" in client.get(reverse("cases:bureau-tasks")).content.decode()
    client.post(reverse("cases:take-task", args=[task.pk]))
    bad = client.post(reverse("cases:complete-task", args=[task.pk]), {f"task-{task.pk}-result": ""})
    assert bad.status_code == 400 and "Enter what was done" in bad.content.decode()
    client.post(reverse("cases:complete-task", args=[task.pk]), {f"task-{task.pk}-result": "Checked: 46 is right"})
    client.force_login(resolver)
    assert "Checked: 46 is right" in client.get(reverse("cases:investigation", args=[crime.reference])).content.decode()
