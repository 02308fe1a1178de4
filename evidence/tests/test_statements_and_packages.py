"""Statements rendered to PDF with their declaration; the evidential package and its streamed zip, read back."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from evidence import samples, services
from evidence.models import CustodyEvent, EvidentialPackage, Statement


def _statement(crime, actor, **overrides):
    details = {
        "maker_name": "Ama Owusu", "body": "I run the shop on High Street. At 14:05 a man took two bottles of gin "
        "from the shelf by the till and left without paying. I did not give anyone permission to take them.",
        "signature": "ama  owusu", "declaration_accepted": True, "maker_occupation": "Shopkeeper",
    }
    return services.take_statement(
        crime=crime, actor=actor, details=services.StatementDetails(**{**details, **overrides}),
        form_token=overrides.pop("form_token", None) if "form_token" in overrides else None,
    )


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_statement_is_signed_rendered_to_pdf_and_numbered(crime, investigator):
    statement = _statement(crime, investigator)
    assert statement.reference == "S1" and statement.pages == 1
    with default_storage.open(statement.pdf.name, "rb") as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == statement.sha256
    text = _pdf_text(data)
    assert "Ama Owusu" in text and "two bottles of gin" in text
    assert "consisting of 1 page(s) each signed by me" in text
    assert CustodyEvent.objects.get(statement=statement).event == "received"
    assert _statement(crime, investigator, maker_name="Ben Carter", signature="Ben Carter").reference == "S2"


def test_a_statement_without_the_declaration_or_the_makers_own_signature_is_refused(crime, investigator):
    with pytest.raises(ValidationError) as refused:
        _statement(crime, investigator, declaration_accepted=False, signature="Someone Else")
    assert set(refused.value.message_dict) == {"declaration", "signature"}
    assert "Ama Owusu" in refused.value.message_dict["signature"][0]
    assert not Statement.objects.exists()


def test_the_package_holds_summary_index_with_hashes_timeline_and_statements_and_is_a_disclosure(crime, investigator):
    statement = _statement(crime, investigator)
    photo = services.receive_file(
        actor=investigator, description="Shelf after the theft", produced_by="Jo Smith",
        file=io.BytesIO(samples.png(seed=9)), filename="shelf.png", size=len(samples.png(seed=9)), crime=crime,
    )
    call = services.receive_file(
        actor=investigator, description="Extract of the 101 call", produced_by="Jo Smith",
        file=io.BytesIO(samples.wav(0.3)), filename="call.wav", size=len(samples.wav(0.3)), crime=crime,
    )
    package = services.produce_evidential_package(
        crime=crime, recipient="CPS Direct", reason="Charging decision", actor=investigator, form_token="d" * 32
    )
    with default_storage.open(package.pdf.name, "rb") as stored:
        text = _pdf_text(stored.read())
    assert f"Evidential package: crime {crime.reference}" in text and "CPS Direct" in text
    for item in (photo, call):
        assert item.reference in text and item.sha256[:40] in text.replace("\n", "")
    assert statement.sha256[:40] in text.replace("\n", "")
    assert "Timeline" in text and "Reported" in text and "Exhibit JS/2 received from Jo Smith" in text
    assert "two bottles of gin" in text  # the statement itself is in the package
    entry = AuditEntry.objects.get(subject_type="evidence.evidentialpackage", action="disclosure")
    assert entry.recipients == ["CPS Direct"] and entry.reason == "Charging decision"
    assert photo.custody.filter(event="disclosed", recipients=["CPS Direct"]).exists()
    assert statement.custody.filter(event="disclosed").exists()
    # The same form submitted again produces nothing twice.
    again = services.produce_evidential_package(
        crime=crime, recipient="CPS Direct", reason="Charging decision", actor=investigator, form_token="d" * 32
    )
    assert again.pk == package.pk and EvidentialPackage.objects.count() == 1

    zipped = b"".join(services.package_zip_stream(package=package, actor=investigator))
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    manifest = archive.read("SHA256SUMS").decode().splitlines()
    assert len(manifest) == 4  # the package PDF, one statement, two exhibits
    for line in manifest:
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert "exhibits/JS-1.png" in archive.namelist()


def test_a_package_needs_a_recipient_a_reason_and_something_in_it(crime, investigator):
    with pytest.raises(ValidationError) as missing:
        services.produce_evidential_package(crime=crime, recipient=" ", reason="", actor=investigator)
    assert set(missing.value.message_dict) == {"recipient", "reason"}
    with pytest.raises(ValidationError, match="no exhibits or statements"):
        services.produce_evidential_package(crime=crime, recipient="CPS", reason="Charging", actor=investigator)


def test_only_staff_who_may_disclose_can_produce_a_package(client, crime, make_user):
    client.force_login(make_user("crime-admin", username="cab9"))
    assert client.get(reverse("evidence:produce-package", args=[crime.reference])).status_code == 403
    assert client.get(reverse("evidence:crime", args=[crime.reference])).status_code == 403
