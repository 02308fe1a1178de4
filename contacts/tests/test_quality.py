"""Quality audit of calls: a reproducible monthly sample per handler, scored against a versioned checklist."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from accounts.tests.factories import TeamFactory
from audit.models import AuditEntry
from contacts import quality
from contacts.models import IncidentType, QualityChecklist, QualityReview, QualitySample
from contacts.services import (
    assess_thrive,
    draw_quality_sample,
    draw_quality_samples,
    record_contact,
    score_quality_review,
)
from people.services import record_person

ANSWERS = {"threat": "low", "harm": "low", "risk": "low", "investigation": "none", "vulnerability": "none",
           "engagement": "advice"}


def _last_month() -> date:
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _assessed(handler, *, day: date, code="shoplifting", caller=None):
    received = timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=12))
    contact = record_contact(actor=handler, channel="101", incident_type=IncidentType.objects.get(code=code),
                             received_at=received, location_text="High Street", caller=caller)
    assess_thrive(contact=contact, actor=handler, answers=ANSWERS, rationales=dict.fromkeys(ANSWERS, "Because"))
    return contact


def test_the_draw_is_reproducible_and_takes_everything_when_there_are_fewer():
    ids = list(range(1, 101))
    seed = quality.sample_seed(7, "2026-10")
    assert quality.draw_sample(ids, 5, seed) == quality.draw_sample(list(reversed(ids)), 5, seed)
    assert quality.draw_sample(ids, 5, seed) != quality.draw_sample(ids, 5, quality.sample_seed(8, "2026-10"))
    assert quality.draw_sample([3, 1, 2], 5, seed) == [1, 2, 3]


def test_a_score_counts_only_applicable_items():
    items = [{"code": "a"}, {"code": "b"}, {"code": "c"}]
    result = quality.score(items, {"a": "yes", "b": "no", "c": "na"})
    assert (result.met, result.not_met, result.not_applicable, result.percent) == (1, 1, 1, 50)


def test_a_handler_is_sampled_from_their_own_assessed_contacts_of_the_month(make_user):
    handler, other = make_user("call-handler", username="h1"), make_user("call-handler", username="h2")
    auditor = make_user("quality-auditor", username="aud1")
    month = _last_month()
    mine = {_assessed(handler, day=month + timedelta(days=i)).pk for i in range(8)}
    _assessed(other, day=month)
    _assessed(handler, day=month - timedelta(days=2))  # the month before: not in the sample
    sample = draw_quality_sample(handler=handler, month=month, actor=auditor, size=5)
    picked = set(sample.reviews.values_list("contact_id", flat=True))
    assert len(picked) == 5 and picked <= mine
    # Drawing again returns the same sample; the seed is stored to show how it was drawn.
    assert draw_quality_sample(handler=handler, month=month, actor=auditor, size=3) == sample
    assert sample.seed == quality.sample_seed(handler.pk, f"{month:%Y-%m}")
    assert sorted(picked) == quality.draw_sample(sorted(mine), 5, sample.seed)
    samples = draw_quality_samples(month=month, actor=auditor, size=5)
    assert {s.handler for s in samples} == {handler, other}


def test_a_future_month_or_a_silly_size_is_refused(make_user):
    handler, auditor = make_user("call-handler", username="h3"), make_user("quality-auditor", username="aud2")
    with pytest.raises(ValidationError) as error:
        draw_quality_sample(handler=handler, month=timezone.localdate() + timedelta(days=40), actor=auditor)
    assert "month" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        draw_quality_sample(handler=handler, month=_last_month(), actor=auditor, size=0)
    assert "size" in error.value.message_dict


def _review(make_user, code="shoplifting"):
    handler, auditor = make_user("call-handler", username="h4"), make_user("quality-auditor", username="aud3")
    caller = record_person(actor=handler, given_name="Grace", family_name="Hopper", reason="Taking a new contact")
    contact = _assessed(handler, day=_last_month(), code=code, caller=caller)
    sample = draw_quality_sample(handler=handler, month=_last_month(), actor=auditor, size=5)
    return sample.reviews.get(contact=contact), handler, auditor


def test_scoring_needs_every_item_and_comments_when_something_was_not_met(make_user):
    review, _, auditor = _review(make_user)
    checklist = QualityChecklist.objects.get(code="call-quality", version="1")
    codes = [item["code"] for item in checklist.items]
    with pytest.raises(ValidationError) as error:
        score_quality_review(review=review, actor=auditor, checklist=checklist, answers={})
    assert set(codes) <= set(error.value.message_dict)
    answers = dict.fromkeys(codes, "yes") | {"dash": "na", "household": "no"}
    with pytest.raises(ValidationError) as error:
        score_quality_review(review=review, actor=auditor, checklist=checklist, answers=answers)
    assert "comments" in error.value.message_dict
    scored = score_quality_review(review=review, actor=auditor, checklist=checklist, answers=answers,
                                  comments="Ask who else lives there.")
    assert scored.score == round(100 * (len(codes) - 2) / (len(codes) - 1))
    assert AuditEntry.objects.filter(subject_type="contacts.qualityreview", actor_id=auditor.pk).exists()


def test_dash_cannot_be_skipped_on_a_domestic_contact(make_user):
    review, _, auditor = _review(make_user, code="domestic-incident")
    checklist = QualityChecklist.objects.get(code="call-quality")
    answers = {item["code"]: "yes" for item in checklist.items} | {"dash": "na"}
    with pytest.raises(ValidationError) as error:
        score_quality_review(review=review, actor=auditor, checklist=checklist, answers=answers)
    assert "applies" in error.value.message_dict["dash"][0]


def test_the_auditor_scores_on_the_page_and_the_handler_sees_the_feedback(make_user, client):
    review, handler, auditor = _review(make_user)
    team = TeamFactory(name="Force Contact Centre", kind=Team.Kind.CONTACT_CENTRE)
    handler.teams.add(team)
    client.force_login(auditor)
    url = reverse("contacts:quality-review", args=[review.pk])
    page = client.get(url).content.decode()
    assert "Grace Hopper" in page and "caller" in page.lower()
    assert AuditEntry.objects.filter(action="consultation", actor_id=auditor.pk,
                                     reason=f"Quality audit of contact {review.contact.reference}").exists()
    checklist = QualityChecklist.objects.get(code="call-quality")
    data = {f"item_{item['code']}": "yes" for item in checklist.items} | {"item_dash": "na",
                                                                           "item_safeguarding_advice": "no"}
    response = client.post(url, data)
    assert response.status_code == 400 and "Give comments for the handler" in response.content.decode()
    assert 'value="no" checked' in response.content.decode().replace("\n", " ") or "checked" in response.content.decode()
    response = client.post(url, data | {"comments": "Tell the caller what to do if he comes back."})
    assert response.status_code == 302
    results = client.get(reverse("contacts:quality"), {"month": f"{_last_month():%Y-%m}"}).content.decode()
    assert "Force Contact Centre" in results and "86%" in results and "chart-data-quality" in results
    client.force_login(handler)
    feedback = client.get(reverse("contacts:quality-feedback")).content.decode()
    assert "Tell the caller what to do if he comes back." in feedback and "86%" in feedback
    assert "Safeguarding advice was given" in feedback


def test_drawing_from_the_page_and_only_for_auditors(make_user, client):
    handler = make_user("call-handler", username="h5")
    for i in range(3):
        _assessed(handler, day=_last_month() + timedelta(days=i))
    client.force_login(handler)
    assert client.get(reverse("contacts:quality")).status_code == 403
    client.force_login(make_user("quality-auditor", username="aud5"))
    response = client.post(reverse("contacts:quality"), {"month": f"{_last_month():%Y-%m}", "size": "x"})
    assert response.status_code == 400 and "whole number" in response.content.decode()
    response = client.post(reverse("contacts:quality"), {"month": f"{_last_month():%Y-%m}", "size": "2"})
    assert response.status_code == 302
    assert QualitySample.objects.get(handler=handler).size == 2 and QualityReview.objects.count() == 2
