"""``manage.py generate_appointment_slots [--days 14] [--team NAME]``: slots from each team's appointment pattern."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Team
from contacts.services import generate_appointment_slots


class Command(BaseCommand):
    help = "Make appointment slots for the coming days from the active patterns (safe to run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="days ahead (default APPOINTMENT_SLOT_DAYS)")
        parser.add_argument("--team", default="", help="one team's name (default: every team with a pattern)")

    def handle(self, *args, days: int | None, team: str, verbosity: int, **options):
        chosen = None
        if team:
            chosen = Team.objects.filter(name=team).first()
            if chosen is None:
                raise CommandError(f"No team is named {team!r}.")
        try:
            made = generate_appointment_slots(first_day=timezone.localdate(), days=days or settings.APPOINTMENT_SLOT_DAYS,
                                              team=chosen)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if verbosity:
            self.stdout.write(f"{made} new appointment slots.")
