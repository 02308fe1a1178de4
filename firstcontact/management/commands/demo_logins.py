"""``manage.py demo_logins``: create one login per role for the demo force and print them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import ensure_demo_teams, ensure_demo_users


class Command(BaseCommand):
    help = "Create (or reset) one demo login per staff role and print the sign-in address, usernames and password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/staff/", help="Sign-in address to print.")

    def handle(self, *args, **options) -> None:
        if not settings.DEMO:
            raise CommandError("Demo logins exist only in demo mode (FIRSTCONTACT_MODE=demo).")
        try:
            ensure_demo_teams()
            logins = ensure_demo_users()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        width = max(len("Username"), *(len(login.username) for login in logins))
        self.stdout.write(f"Staff sign-in: {options['url']}")
        self.stdout.write(f"Password for every demo login: {logins[0].password if logins else ''}")
        self.stdout.write("")
        self.stdout.write(f"{'Username'.ljust(width)}  Role")
        self.stdout.write(f"{'-' * width}  {'-' * 30}")
        for login in logins:
            self.stdout.write(f"{login.username.ljust(width)}  {login.role}")
