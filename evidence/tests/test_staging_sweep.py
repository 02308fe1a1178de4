"""Sweeping unfinished uploads from staging: real files in a temporary staging directory, never one in use."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from evidence import samples, services
from evidence.models import Upload
from firstcontact.scheduling import parse_schedule


def _staging():
    return storages["evidence_staging"]


def _age(upload: Upload, hours: float) -> None:
    """Make an upload, and its staged file, look ``hours`` old."""
    then = timezone.now() - timedelta(hours=hours)
    Upload.objects.filter(pk=upload.pk).update(created_at=then)
    path = _staging().path(upload.staging_name)
    os.utime(path, (then.timestamp(), then.timestamp()))


def _partial(crime, actor, size: int = 300_000, **owner) -> Upload:
    data = samples.mp4_like(size, seed=5)
    upload = services.start_upload(filename="cctv.mp4", length=len(data), actor=actor, crime=crime, **owner)
    return services.append_chunk(upload=upload, offset=0, stream=io.BytesIO(data[:100_000]))


def _link(crime, actor, days: int = 7):
    return services.issue_upload_link(actor=actor, crime=crime, recipient_name="Corner Shop Ltd", channel="email",
                                      recipient_email="shop@example.org", base_url="https://force.example/",
                                      days=days).link


def test_old_unfinished_uploads_go_and_recent_ones_stay(crime, investigator):
    old = _partial(crime, investigator)
    _age(old, 30)
    recent = _partial(crime, investigator)
    assert _staging().exists(old.staging_name) and _staging().exists(recent.staging_name)

    sweep = services.sweep_staging()

    assert [item.name for item in sweep.removed] == [old.staging_name]
    assert sweep.removed[0].size == 100_000 and sweep.removed[0].why == "never finished"
    assert not _staging().exists(old.staging_name) and not Upload.objects.filter(pk=old.pk).exists()
    assert _staging().exists(recent.staging_name) and Upload.objects.filter(pk=recent.pk).exists()
    # The recent one can still be finished and received.
    assert services.sweep_staging().removed == []


def test_an_old_upload_still_receiving_chunks_stays(crime, investigator):
    """An upload begun long ago whose file changed a minute ago is in use."""
    upload = _partial(crime, investigator)
    _age(upload, 30)
    # A chunk arrives now: the staged file's modification time moves on.
    data = samples.mp4_like(300_000, seed=5)
    services.append_chunk(upload=Upload.objects.get(pk=upload.pk), offset=100_000, stream=io.BytesIO(data[100_000:150_000]))
    sweep = services.sweep_staging()
    assert sweep.removed == [] and sweep.in_use == 1
    assert _staging().exists(upload.staging_name)


def test_a_finished_upload_never_received_goes_after_a_day(crime, investigator):
    data = samples.png(seed=4)
    staged = services.stage_file(file=io.BytesIO(data), filename="p.png", size=len(data), actor=investigator, crime=crime)
    assert staged.complete
    assert services.sweep_staging().removed == []
    _age(staged, 25)
    sweep = services.sweep_staging()
    assert [(item.name, item.why) for item in sweep.removed] == [(staged.staging_name, "finished, never received")]
    # A form naming it afterwards is told to choose the file again, naming the field.
    with pytest.raises(services.UploadRefused) as refused:
        services.receive_file(actor=investigator, description="Photo", produced_by="Jo Smith", upload=staged,
                              crime=crime)
    assert refused.value.message_dict["file"] == [services.UPLOAD_GONE]


def test_uploads_through_an_expired_link_go_at_once(crime, investigator):
    link = _link(crime, investigator)
    data = samples.mp4_like(300_000, seed=5)
    upload = services.start_upload(filename="cctv.mp4", length=len(data), crime=crime, link=link)
    upload = services.append_chunk(upload=upload, offset=0, stream=io.BytesIO(data[:100_000]))
    live = _partial(crime, investigator)
    assert services.sweep_staging().removed == []  # the link still works: the sender may carry on

    type(link).objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    # The last chunk arrived just now: left a few minutes in case a request is still finishing.
    assert services.sweep_staging().removed == []
    os.utime(_staging().path(upload.staging_name), (time.time() - 600, time.time() - 600))
    sweep = services.sweep_staging()
    assert [(item.name, item.why) for item in sweep.removed] == [(upload.staging_name, "link expired")]
    assert _staging().exists(live.staging_name)


def test_exhibits_are_never_touched_and_stray_files_go(crime, investigator):
    data = samples.png(seed=6)
    exhibit = services.receive_file(actor=investigator, description="Photo", produced_by="Jo Smith",
                                    file=io.BytesIO(data), filename="p.png", size=len(data), crime=crime)
    Upload.objects.filter(pk=exhibit.upload_id).update(created_at=timezone.now() - timedelta(days=10))
    stray = _staging().save("left-over.part", io.BytesIO(b"x" * 5000))
    fresh_stray = _staging().save("just-started.part", io.BytesIO(b"y" * 10))
    os.utime(_staging().path(stray), (time.time() - 90_000, time.time() - 90_000))

    sweep = services.sweep_staging()

    assert [(item.name, item.size, item.why) for item in sweep.removed] == [(stray, 5000, "no upload names it")]
    assert Upload.objects.filter(pk=exhibit.upload_id).exists()
    assert _staging().exists(fresh_stray)


def test_the_command_reports_progress_and_a_dry_run_removes_nothing(crime, investigator):
    old = _partial(crime, investigator)
    _age(old, 30)
    out = io.StringIO()
    call_command("sweep_evidence_staging", "--dry-run", "-v", "2", stdout=out)
    assert f"{old.staging_name}: 97.7\xa0KB, never finished (would be removed)" in out.getvalue()
    assert "1 staged file(s) would be removed" in out.getvalue()
    assert _staging().exists(old.staging_name)

    out = io.StringIO()
    call_command("sweep_evidence_staging", "--no-progress", stdout=out)
    assert "1 staged file(s) removed, 97.7\xa0KB in all; 0 left because they are in use." in out.getvalue()
    assert not _staging().exists(old.staging_name)


def test_the_sweep_is_scheduled_every_hour(settings):
    jobs = {job.name: job for job in parse_schedule(settings.SCHEDULE)}
    assert jobs["sweep-evidence-staging"].command == ("sweep_evidence_staging", "--no-progress")
    assert jobs["sweep-evidence-staging"].when == "every 60 minutes"
