"""Shared steps for the public reporting tests: walk the journey through the real pages."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone


def yesterday():
    return timezone.localdate() - timedelta(days=1)


ANSWERS = {
    "what": {"kind": "theft"},
    "when": lambda: {"date_day": str(yesterday().day), "date_month": str(yesterday().month),
                     "date_year": str(yesterday().year), "time": "09:15"},
    "where": {"location": "Car park behind the library, Stafford", "postcode": "st16 2dh"},
    "stolen": {"items": "Blue Raleigh bicycle, frame number WX123", "value": "£350"},
    "description": {"description": "My bike was locked to the rail and the lock was cut."},
    "suspect": {"suspect": "Man in his twenties, grey hoodie, black rucksack"},
    "name": {"given_name": "Priya", "family_name": "Sharma"},
    "contact": {"email": "priya@example.org", "phone": ""},
}


def question_url(step: str) -> str:
    return reverse("public:question", args=[step])


def answer(client, step: str, values: dict | None = None, **extra):
    data = values if values is not None else ANSWERS[step]
    data = data() if callable(data) else data
    return client.post(question_url(step), {**data, **extra})


def walk_to_check(client, *, kind_answers: dict | None = None):
    """Answer every question of a theft report; returns the check page's response."""
    client.get(reverse("public:start"))
    for step in ("what", "when", "where", "stolen", "description", "suspect", "name", "contact"):
        response = answer(client, step, (kind_answers or {}).get(step))
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    return client.get(reverse("public:check"))


def submission_key(client) -> str:
    return client.session["public_report"]["key"]


def emails_to(address: str) -> list:
    """The messages queued in the notifications outbox to this address, oldest first."""
    from notifications.models import Message

    return list(Message.objects.filter(to=address).order_by("pk"))


def link_in(message, pattern: str) -> str:
    """The first match of ``pattern`` in the text the recipient gets (the outbox itself keeps only a mask)."""
    from notifications.services import text_as_sent

    return re.search(pattern, text_as_sent(message)[1]).group(0)


def send_report(client, **kind_answers) -> str:
    """Walk a whole report and send it; returns its reference."""
    walk_to_check(client, kind_answers=kind_answers or None)
    client.post(reverse("public:check"), {"submission_key": submission_key(client)})
    return client.session["public_report_done"]
