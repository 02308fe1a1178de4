"""``manage.py seed_online_reports --demo``: business accounts, online and business reports, a flagged series."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.context import audit_context
from public.demo import DEMO_PASSWORD, seed_online_reports


class Command(BaseCommand):
    help = "Add the demo force's business accounts and online reports (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="work on the demo force (demo mode only)")
        parser.add_argument("--url", default="http://127.0.0.1:8000/report/business/sign-in/",
                            help="business sign-in address to print")

    def handle(self, *args, demo: bool, url: str, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only adds made-up reports to the demo force.")
        if not settings.DEMO:
            raise CommandError("--demo adds made-up reports: only in demo mode (FIRSTCONTACT_MODE=demo).")
        # Registered by the demo's crime admin bureau login when it exists (it is made by demo_logins).
        staff = get_user_model().objects.filter(username="crimeadmin").first()
        with audit_context(source="command"):
            result = seed_online_reports(staff_actor=staff)
        if verbosity:
            self.stdout.write(
                f"Online reporting demo: {result.businesses} businesses, {result.public_reports} online reports, "
                f"{result.business_reports} business reports, {result.series} possible series links, "
                f"{result.online_reviews} request for a review sent online (Right to review queue)."
            )
            self.stdout.write(f"Business sign-in: {url}  (password {DEMO_PASSWORD})")
            for email, business in result.logins:
                self.stdout.write(f"  {email}  for {business}")
