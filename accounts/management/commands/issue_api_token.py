"""Issue an API token for an integration from the command line; the token is printed once."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.scopes import SCOPES
from accounts.services import issue_api_token


class Command(BaseCommand):
    help = (
        "Issue a bearer token for an integration, limited to scopes. The token is printed once on "
        f"standard output and never stored. Scopes: {', '.join(sorted(SCOPES))}."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True, help="Which system uses the token.")
        parser.add_argument("--scopes", required=True, help="Comma-separated scopes, e.g. telephony:write,demand:read.")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Days until the token expires (default: never)."
        )

    def handle(self, *args, name: str, scopes: str, expires_days: int | None, **options) -> None:
        if expires_days is not None and expires_days < 1:
            raise CommandError(f"--expires-days must be 1 or more, not {expires_days}.")
        scope_list = [s.strip() for s in scopes.split(",") if s.strip()]
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            record, token = issue_api_token(name=name, scopes=scope_list, issued_by=None, expires_at=expires_at)
        except ValidationError as exc:
            problems = "; ".join(f"--{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError(problems) from exc
        expiry = f"expires {record.expires_at.isoformat()}" if record.expires_at else "does not expire"
        # The token alone on stdout, so a script can capture it; the explanation goes to stderr.
        self.stderr.write(
            f"Issued token {record.pk} '{record.name}' ({', '.join(record.scopes)}; {expiry}). "
            "It is shown once: store it now."
        )
        self.stdout.write(token)
