"""Resolving at first contact: advice from the knowledge base or a signpost, and the share of 101 resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import AdviceArticle, ContactOutcome, IncidentType, PartnerAgency
from contacts.selectors import first_contact_resolution, search_advice
from contacts.services import record_contact, record_outcome


@pytest.fixture
def handler_client(client, call_handler):
    client.force_login(call_handler)
    return client


def _contact(actor, channel="101", code="shoplifting", minutes=5):
    return record_contact(actor=actor, channel=channel, incident_type=IncidentType.objects.get(code=code),
                          received_at=timezone.now() - timedelta(minutes=minutes), location_text="High Street")


def test_partner_agencies_are_seeded_from_the_domain_list(db):
    names = set(PartnerAgency.objects.values_list("name", flat=True))
    assert {"Report Fraud", "NHS 111", "Victim Support", "RSPCA", "Environment Agency", "DVLA"} <= names
    assert "0300 123 2040" in PartnerAgency.objects.get(code="report-fraud").contact_details


def test_the_knowledge_base_is_searched_by_every_word_and_offers_articles_for_the_incident_type(db):
    assert [a.title for a in search_advice("shop cctv")] == ["Shop theft: what the shop can do next"]
    assert search_advice("shop unicorn") == []
    noise = IncidentType.objects.get(code="noise")
    assert [a.title for a in search_advice("", incident_type_id=noise.pk)] == ["Noise from neighbours"]


def test_advice_needs_its_article_and_a_signpost_its_partner(call_handler):
    contact = _contact(call_handler)
    with pytest.raises(ValidationError) as error:
        record_outcome(contact=contact, actor=call_handler, kind="advice")
    assert "advice_article" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_outcome(contact=contact, actor=call_handler, kind="signpost")
    assert "partner_agency" in error.value.message_dict
    assert not ContactOutcome.objects.exists()


def test_recording_advice_closes_the_contact_as_resolved_at_first_contact(handler_client, call_handler):
    contact = _contact(call_handler)
    article = AdviceArticle.objects.get(title__startswith="Shop theft")
    page = handler_client.get(reverse("contacts:detail", args=[contact.reference]), {"advice": "shop"})
    assert article.title in page.content.decode()
    response = handler_client.post(reverse("contacts:outcome", args=[contact.reference]),
                                   {"kind": "advice", "advice_article": str(article.pk)})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.closed_at is not None
    assert contact.outcome.resolved_at_first_contact


def test_the_share_counts_every_101_contact_and_only_advice_or_signposts_as_resolved(call_handler):
    advice = AdviceArticle.objects.first()
    resolved = _contact(call_handler)
    routed = _contact(call_handler)
    _contact(call_handler)  # no outcome yet: counts as not resolved
    emergency = _contact(call_handler, channel="999")
    record_outcome(contact=resolved, actor=call_handler, kind="advice", advice_article=advice)
    record_outcome(contact=routed, actor=call_handler, kind="routed")
    record_outcome(contact=emergency, actor=call_handler, kind="advice", advice_article=advice)
    share = first_contact_resolution(since=timezone.now() - timedelta(days=1), until=timezone.now())
    assert (share.contacts, share.resolved, share.percent) == (3, 1, 33.3)


def test_the_resolution_page_shows_the_share(handler_client, call_handler):
    contact = _contact(call_handler)
    record_outcome(contact=contact, actor=call_handler, kind="signpost",
                   partner_agency=PartnerAgency.objects.get(code="local-council"))
    page = handler_client.get(reverse("contacts:resolution"))
    assert page.status_code == 200
    assert "100.0%" in page.content.decode()
