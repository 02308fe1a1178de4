"""The staging sweep leaves an upload whose row another request holds locked (PostgreSQL, real threads)."""

from __future__ import annotations

import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

from cases.tests.factories import routed_crime
from evidence import samples, services
from evidence.models import Upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_locked_upload_is_in_use_and_is_swept_once_the_lock_is_gone(reference_data, make_user):
    handler = make_user("call-handler", username="handler-sweep")
    crime = routed_crime(actor=handler)
    data = samples.mp4_like(200_000, seed=9)
    upload = services.start_upload(filename="cctv.mp4", length=len(data), crime=crime, actor=handler)
    upload = services.append_chunk(upload=upload, offset=0, stream=io.BytesIO(data[:50_000]))
    then = timezone.now() - timedelta(hours=30)
    Upload.objects.filter(pk=upload.pk).update(created_at=then)
    path = storages["evidence_staging"].path(upload.staging_name)
    os.utime(path, (then.timestamp(), then.timestamp()))

    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        # What append_chunk and receive_file do while they touch the staged file.
        try:
            with transaction.atomic():
                Upload.objects.select_for_update().get(pk=upload.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(hold_the_row)
        try:
            assert locked.wait(30) or holder.result()
            sweep = services.sweep_staging()
            assert sweep.removed == [] and sweep.in_use == 1
            assert os.path.exists(path) and Upload.objects.filter(pk=upload.pk).exists()
        finally:
            release.set()
        holder.result()  # the holder's own error, if it had one

    sweep = services.sweep_staging()
    assert [item.name for item in sweep.removed] == [upload.staging_name]
    assert not os.path.exists(path) and not Upload.objects.filter(pk=upload.pk).exists()
