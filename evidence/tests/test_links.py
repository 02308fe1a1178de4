"""Upload links for the public: only a hash kept, sent through the outbox, single-use, expiring."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from evidence import samples, services
from evidence.models import Exhibit, UploadLink
from notifications.models import Message
from notifications.services import text_as_sent


def _issue(crime, actor, **kwargs):
    defaults = {
        "recipient_name": "Corner Shop Ltd", "channel": "email", "recipient_email": "manager@cornershop.example",
        "purpose": "cctv", "base_url": "http://testserver/",
    }
    return services.issue_upload_link(actor=actor, crime=crime, **{**defaults, **kwargs})


def test_a_link_is_sent_through_the_outbox_and_only_its_hash_is_kept(crime, investigator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        issued = _issue(crime, investigator)
    link = issued.link
    assert issued.url == f"http://testserver/upload/{issued.token}/"
    assert link.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in str(UploadLink.objects.filter(pk=link.pk).values().get())
    message = Message.objects.get(reference=f"upload-link-{link.pk}")
    assert message.template == "upload_link" and message.to == "manager@cornershop.example"
    assert message.subject == f"Send us your evidence for {crime.reference}"
    assert issued.url in text_as_sent(message)[1] and "works once" in message.body
    assert issued.token not in message.body and issued.token not in str(message.personalisation)
    assert AuditEntry.objects.filter(subject_type="evidence.uploadlink", action="disclosure").exists()


def test_a_link_needs_somewhere_to_send_it_and_a_sensible_life(crime, investigator):
    with pytest.raises(ValidationError) as no_address:
        _issue(crime, investigator, channel="sms", recipient_phone="")
    assert "recipient_phone" in no_address.value.message_dict
    with pytest.raises(ValidationError) as too_long:
        _issue(crime, investigator, days=60)
    assert too_long.value.message_dict == {"days": [services.EXPIRY_RANGE]}
    with pytest.raises(ValidationError) as bad_phone:
        _issue(crime, investigator, channel="sms", recipient_phone="not a number")
    assert "recipient_phone" in bad_phone.value.message_dict
    assert not UploadLink.objects.exists()


def test_the_same_form_submitted_twice_sends_one_link(crime, investigator):
    first = _issue(crime, investigator, form_token="a" * 32)
    second = _issue(crime, investigator, form_token="a" * 32)
    assert first.link.pk == second.link.pk and UploadLink.objects.count() == 1 and Message.objects.count() == 1


def _post_file(client, token, data=None, **fields):
    data = data if data is not None else samples.png(seed=5)
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("evidence-public:page", args=[token]),
        {"file": SimpleUploadedFile("till.png", data), "description": "Till camera still", "form_token": "b" * 32,
         "cctv_cameras": "Cam 2 till", "cctv_clock_offset_seconds": "90", "cctv_from_date_day": "3",
         "cctv_from_date_month": "11", "cctv_from_date_year": "2026", "cctv_from_time": "14:05",
         "cctv_to_date_day": "3", "cctv_to_date_month": "11", "cctv_to_date_year": "2026", "cctv_to_time": "14:20",
         **fields},
    )


def test_the_public_page_takes_a_file_once_then_the_link_is_spent(client, crime, investigator):
    issued = _issue(crime, investigator)
    page = client.get(reverse("evidence-public:page", args=[issued.token]))
    assert page.status_code == 200 and "Send your CCTV footage" in page.content.decode()
    response = _post_file(client, issued.token)
    assert response.status_code == 302 and response["Location"] == reverse("evidence-public:done")
    exhibit = Exhibit.objects.get()
    assert exhibit.crime == crime and exhibit.reference == "CS/1" and exhibit.link == issued.link
    assert exhibit.cctv_cameras == "Cam 2 till" and exhibit.cctv_clock_offset_seconds == 90
    assert timezone.localtime(exhibit.cctv_from).strftime("%H:%M") == "14:05"
    assert exhibit.custody.get().actor_label == "public:Corner Shop Ltd"
    # The link is single-use: a second visit, or a second file, is refused with the same page.
    again = client.get(reverse("evidence-public:page", args=[issued.token]))
    assert again.status_code == 404 and "This link does not work" in again.content.decode()
    assert _post_file(client, issued.token).status_code == 404
    assert Exhibit.objects.count() == 1


def test_an_expired_or_unknown_link_shows_the_same_page(client, crime, investigator):
    issued = _issue(crime, investigator)
    UploadLink.objects.filter(pk=issued.link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get(reverse("evidence-public:page", args=[issued.token]))
    unknown = client.get(reverse("evidence-public:page", args=["x" * 43]))
    assert expired.status_code == unknown.status_code == 404
    assert "This link does not work" in expired.content.decode() and "This link does not work" in unknown.content.decode()
    create = client.post(reverse("evidence-public:upload-create", args=[issued.token]), HTTP_UPLOAD_LENGTH="10")
    assert create.status_code == 404


def test_a_refused_file_keeps_what_was_typed_and_a_good_file_is_not_asked_for_again(client, crime, investigator):
    issued = _issue(crime, investigator)
    refused = _post_file(client, issued.token, data=b"%!PS-Adobe-3.0 not evidence", description="Receipt")
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Error: Send your evidence" in html and "The file must be a photo" in html
    assert "Receipt" in html and "Cam 2 till" in html  # nothing typed is lost
    # A good file with a wrong time is kept, and named, while the time is corrected.
    kept = _post_file(client, issued.token, cctv_to_time="25:99")
    html = kept.content.decode()
    assert kept.status_code == 400 and "Enter a date and a time in 24-hour format" in html
    assert "till.png" in html and 'name="upload_id"' in html
    upload_id = html.split('name="upload_id" value="')[1].split('"')[0]
    done = client.post(
        reverse("evidence-public:page", args=[issued.token]),
        {"upload_id": upload_id, "description": "Till camera still", "form_token": "c" * 32},
    )
    assert done.status_code == 302 and Exhibit.objects.count() == 1
