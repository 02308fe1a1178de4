"""Every outbox test writes what the file sender "sends" to its own temporary directory, never var/."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def sent_messages_dir(settings, tmp_path_factory):
    directory = tmp_path_factory.mktemp("sent-messages")
    settings.NOTIFICATIONS_FILE_DIR = directory
    return directory
