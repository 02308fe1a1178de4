"""Staff evidence pages and the upload protocol over HTTP: who may open them, resumable uploads, Range, custody."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence import samples, services
from evidence.models import CustodyEvent, Exhibit


@pytest.fixture
def staff(client, investigator):
    client.force_login(investigator)
    return client


@pytest.mark.parametrize("role", ["call-handler", "crime-admin", None])
def test_only_staff_who_handle_evidence_open_the_pages(client, make_user, crime, role):
    client.force_login(make_user(role, username="someone"))
    for name in ("evidence:crime", "evidence:add", "evidence:statement", "evidence:link"):
        assert client.get(reverse(name, args=[crime.reference])).status_code == 403
    assert client.get(reverse("evidence:index")).status_code == 403


def test_the_index_finds_a_crime_by_reference_or_says_what_a_reference_looks_like(staff, crime):
    found = staff.get(reverse("evidence:index"), {"reference": crime.reference.lower()})
    assert found.status_code == 302 and found["Location"] == reverse("evidence:crime", args=[crime.reference])
    missing = staff.get(reverse("evidence:index"), {"reference": "CR999"})
    html = missing.content.decode()
    assert "Error: Evidence" in html and "looks like CR000000042" in html and 'value="CR999"' in html


def test_a_file_added_without_javascript_is_an_exhibit_and_shows_on_the_crime(staff, crime):
    data = samples.png(seed=4)
    response = staff.post(
        reverse("evidence:add", args=[crime.reference]),
        {"file": SimpleUploadedFile("door.png", data), "description": "Damaged door", "produced_by": "Jo Smith",
         "form_token": "e" * 32},
    )
    assert response.status_code == 302
    exhibit = Exhibit.objects.get()
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()
    page = staff.get(reverse("evidence:crime", args=[crime.reference])).content.decode()
    assert "JS/1" in page and "Damaged door" in page and exhibit.sha256[:16] in page


def test_a_refused_file_on_the_staff_form_names_the_field_and_keeps_the_description(staff, crime):
    response = staff.post(
        reverse("evidence:add", args=[crime.reference]),
        {"file": SimpleUploadedFile("notes.png", b"plain text notes"), "description": "Door", "produced_by": "Jo Smith"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'href="#id_file"' in html and "The file must be a photo" in html
    assert 'value="Door"' in html and not Exhibit.objects.exists()


def test_the_resumable_protocol_over_http(staff, crime):
    """POST opens an upload, PATCH sends parts at offsets, HEAD says how much arrived, the last part is hash-checked."""
    data = samples.mp4_like(2_500_000, seed=8)
    created = staff.post(
        reverse("evidence:upload-create", args=[crime.reference]), HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_FILENAME="till%20cam.mp4", HTTP_UPLOAD_SHA256=hashlib.sha256(data).hexdigest(),
    )
    assert created.status_code == 201 and created["Upload-Offset"] == "0"
    location = created["Location"]

    def patch(offset, part):
        return staff.generic("PATCH", location, part, content_type="application/offset+octet-stream",
                             HTTP_UPLOAD_OFFSET=str(offset))

    assert patch(0, data[:1_000_000]).status_code == 204
    conflict = patch(2_000_000, data[2_000_000:])
    assert conflict.status_code == 409 and "send from byte 1000000" in conflict.json()["message"]
    assert staff.head(location)["Upload-Offset"] == "1000000"
    last = patch(1_000_000, data[1_000_000:])
    assert last.status_code == 204 and last["Upload-Sha256"] == hashlib.sha256(data).hexdigest()
    assert staff.get(location).json()["complete"] is True
    upload_id = location.rstrip("/").rsplit("/", 1)[1]
    finished = staff.post(
        reverse("evidence:add", args=[crime.reference]),
        {"upload_id": upload_id, "description": "Till camera", "produced_by": "Jo Smith"},
    )
    assert finished.status_code == 302
    assert Exhibit.objects.get().original_name == "till cam.mp4"


def test_a_hash_mismatch_over_http_is_refused_with_460(staff, crime):
    data = samples.png()
    created = staff.post(
        reverse("evidence:upload-create", args=[crime.reference]), HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_SHA256="0" * 64,
    )
    refused = staff.generic("PATCH", created["Location"], data, content_type="application/offset+octet-stream",
                            HTTP_UPLOAD_OFFSET="0")
    assert refused.status_code == 460 and refused.json()["field"] == "file"
    assert staff.head(created["Location"]).status_code == 404


def test_exhibits_play_with_range_requests_and_each_view_and_download_is_in_custody(staff, crime, investigator):
    data = samples.wav(0.5)
    exhibit = services.receive_file(
        actor=investigator, description="Call extract", produced_by="Jo Smith", file=io.BytesIO(data),
        filename="c.wav", size=len(data), crime=crime,
    )
    page = staff.get(reverse("evidence:exhibit", args=[exhibit.pk]))
    assert "<audio controls" in page.content.decode()
    url = reverse("evidence:exhibit-content", args=[exhibit.pk])
    first = staff.get(url, HTTP_RANGE="bytes=0-99")
    assert first.status_code == 206 and first["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert b"".join(first.streaming_content) == data[:100]
    tail = staff.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:] and tail["Accept-Ranges"] == "bytes"
    assert staff.get(url, HTTP_RANGE=f"bytes={len(data)}-").status_code == 416
    whole = staff.get(url + "?download=1")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert "attachment" in whole["Content-Disposition"]
    events = list(CustodyEvent.objects.filter(exhibit=exhibit).values_list("event", "detail__via"))
    # received, the page view, the player's first range (not the later one), the download
    assert events == [("received", "staff"), ("viewed", "page"), ("viewed", "player"), ("downloaded", None)]


def test_statement_link_and_package_forms_work_through_the_pages(staff, crime, django_capture_on_commit_callbacks):
    for name in ("evidence:statement", "evidence:link", "evidence:produce-package"):
        assert staff.get(reverse(name, args=[crime.reference])).status_code == 200
    taken = staff.post(reverse("evidence:statement", args=[crime.reference]), {
        "maker_name": "Ama Owusu", "body": "I saw him take it.", "declaration": "on", "signature": "Ama Owusu",
        "form_token": "f" * 32,
    })
    assert taken.status_code == 302
    unsigned = staff.post(reverse("evidence:statement", args=[crime.reference]), {
        "maker_name": "Ben Carter", "body": "I was there.", "signature": "B",
    })
    html = unsigned.content.decode()
    assert unsigned.status_code == 400 and "Confirm the maker has read and accepts the declaration" in html
    assert "I was there." in html
    sent = staff.post(reverse("evidence:link", args=[crime.reference]), {
        "recipient_name": "Ama Owusu", "channel": "sms", "recipient_phone": "07700 900982", "purpose": "evidence",
        "days": "7", "form_token": "1" * 32,
    })
    assert sent.status_code == 302
    no_email = staff.post(reverse("evidence:link", args=[crime.reference]), {
        "recipient_name": "Shop", "channel": "email", "purpose": "cctv", "days": "7",
    })
    assert no_email.status_code == 400 and "Enter an e-mail address to send the link by e-mail" in no_email.content.decode()
    produced = staff.post(reverse("evidence:produce-package", args=[crime.reference]), {
        "recipient": "CPS Direct", "reason": "Charging decision", "form_token": "2" * 32,
    })
    assert produced.status_code == 302
    package_page = staff.get(produced["Location"])
    assert "CPS Direct" in package_page.content.decode()
    pdf = staff.get(reverse("evidence:package-pdf", args=[package_page.context["package"].pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    statement_pdf = staff.get(reverse("evidence:statement-pdf", args=[crime.statements.get().pk]))
    assert b"".join(statement_pdf.streaming_content).startswith(b"%PDF")
