"""Receiving files: judged by content, hashed on receipt, resumable after a dropped chunk, refused on a hash mismatch."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage, storages

from audit.models import AuditEntry
from evidence import samples, services
from evidence.models import CustodyEvent, Exhibit, Upload


def _receive(crime, actor, data: bytes, name: str = "photo.png", **kwargs) -> Exhibit:
    return services.receive_file(
        actor=actor, description="Photo of the damaged door", produced_by="Jo Smith", file=io.BytesIO(data),
        filename=name, size=len(data), crime=crime, **kwargs,
    )


def test_a_file_becomes_an_exhibit_with_its_hash_reference_custody_and_audit(crime, investigator):
    """A received file gets the producer's initials and a number, its SHA-256, and a receipt in custody and the log."""
    data = samples.png(seed=1)
    exhibit = _receive(crime, investigator, data, name="IMG_0001.JPG")
    assert exhibit.reference == "JS/1"
    assert exhibit.kind == "image" and exhibit.content_type == "image/png"  # by content, not the .JPG name
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()
    with default_storage.open(exhibit.file.name, "rb") as stored:
        assert stored.read() == data
    receipt = CustodyEvent.objects.get(exhibit=exhibit)
    assert receipt.event == "received" and receipt.actor == investigator and receipt.detail["sha256"] == exhibit.sha256
    entry = AuditEntry.objects.get(subject_type="evidence.exhibit", subject_id=str(exhibit.pk))
    assert entry.action == "collection" and entry.person_id == str(crime.victim_id)
    second = _receive(crime, investigator, samples.wav(0.2), name="call.wav")
    assert second.reference == "JS/2" and second.kind == "audio"
    # The staged part is gone once the file is in storage.
    assert storages["evidence_staging"].listdir("")[1] == []


@pytest.mark.parametrize("data", [b"MZ\x90\x00" + b"\x00" * 100, b"just some text pretending to be a photo", b"PK\x03\x04" + b"\x00" * 60])
def test_a_file_that_is_not_image_audio_video_or_pdf_is_refused_naming_the_field(crime, investigator, data):
    with pytest.raises(services.UploadRefused) as refused:
        _receive(crime, investigator, data, name="holiday.jpg")
    assert "file" in refused.value.message_dict
    assert "photo (JPEG" in refused.value.message_dict["file"][0] and "PDF" in refused.value.message_dict["file"][0]
    assert not Exhibit.objects.exists() and not Upload.objects.exists()


def test_a_resumed_upload_carries_on_after_a_dropped_chunk(crime, investigator):
    """A chunk cut off mid-way is not counted; the sender asks where to carry on and the hash is still right."""
    data = samples.mp4_like(3 * 1024 * 1024 + 77, seed=3)
    upload = services.start_upload(
        filename="cctv.mp4", length=len(data), crime=crime, actor=investigator,
        client_sha256=hashlib.sha256(data).hexdigest(),
    )
    upload = services.append_chunk(upload=upload, offset=0, stream=io.BytesIO(data[:1_000_000]))
    assert upload.offset == 1_000_000 and upload.content_type == "video/mp4"

    class Dropped(io.BytesIO):
        """A connection that dies after 300 kB of a 1 MB chunk."""

        def read(self, size=-1):
            if self.tell() >= 300_000:
                raise ConnectionResetError("client went away")
            return super().read(min(size, 300_000 - self.tell()) if size and size > 0 else 300_000)

    with pytest.raises(ConnectionResetError):
        services.append_chunk(upload=upload, offset=1_000_000, stream=Dropped(data[1_000_000:2_000_000]))
    upload.refresh_from_db()
    assert upload.offset == 1_000_000  # what the server says has arrived (the HEAD answer)
    # Another process (a restart) has no running hash: it takes it again from the staged bytes.
    services._forget_hash(upload.id)
    with pytest.raises(services.UploadRefused) as wrong_place:
        services.append_chunk(upload=upload, offset=2_000_000, stream=io.BytesIO(data[2_000_000:]))
    assert wrong_place.value.code == "offset" and "send from byte 1000000" in str(wrong_place.value)
    upload = services.append_chunk(upload=upload, offset=1_000_000, stream=io.BytesIO(data[1_000_000:]))
    assert upload.complete and upload.sha256 == hashlib.sha256(data).hexdigest()
    exhibit = services.receive_file(actor=investigator, description="Till camera", produced_by="Jo Smith", upload=upload)
    with default_storage.open(exhibit.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == exhibit.sha256


def test_a_file_whose_hash_does_not_match_the_senders_is_refused_and_not_kept(crime, investigator):
    data = samples.png(seed=2)
    with pytest.raises(services.UploadRefused) as refused:
        _receive(crime, investigator, data, client_sha256=hashlib.sha256(b"something else").hexdigest())
    assert refused.value.code == "hash" and "does not match the SHA-256" in refused.value.message_dict["file"][0]
    assert not Exhibit.objects.exists() and not Upload.objects.exists()
    assert storages["evidence_staging"].listdir("")[1] == []


def test_more_bytes_than_declared_are_refused(crime, investigator):
    upload = services.start_upload(filename="a.png", length=10, crime=crime, actor=investigator)
    with pytest.raises(services.UploadRefused) as refused:
        services.append_chunk(upload=upload, offset=0, stream=io.BytesIO(samples.png()))
    assert refused.value.code == "size"


def test_an_upload_larger_than_the_limit_or_empty_is_refused_up_front(crime, investigator, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(services.UploadRefused, match="1 KB or smaller"):
        services.start_upload(filename="big.mp4", length=2048, crime=crime, actor=investigator)
    with pytest.raises(services.UploadRefused, match="empty"):
        services.start_upload(filename="none.mp4", length=0, crime=crime, actor=investigator)


def test_exhibits_of_a_contact_move_to_the_crime_recorded_from_it(crime, investigator):
    contact = crime.contact
    exhibit = services.receive_file(
        actor=investigator, description="Photo sent with the online report", produced_by="Ama Owusu",
        file=io.BytesIO(samples.png()), filename="p.png", size=len(samples.png()), contact=contact,
    )
    assert exhibit.crime is None and exhibit.reference == "AO/1"
    assert services.attach_contact_exhibits_to_crime(contact=contact, crime=crime, actor=investigator) == 1
    exhibit.refresh_from_db()
    assert exhibit.crime == crime
    assert exhibit.custody.filter(event="attached").exists()
