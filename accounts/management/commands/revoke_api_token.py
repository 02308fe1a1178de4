"""Revoke an API token at once, named by its id or by the prefix shown when it was issued."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken
from accounts.services import revoke_api_token


class Command(BaseCommand):
    help = "Revoke an API token by its id or its prefix (the first characters, e.g. fc_AbC12); it is refused from now on."

    def add_arguments(self, parser) -> None:
        parser.add_argument("token", help="The token's id, or its prefix as listed in the administration screens.")

    def handle(self, *args, token: str, **options) -> None:
        if token.isdigit():
            matches = list(ApiToken.objects.filter(pk=int(token)))
        else:
            matches = list(ApiToken.objects.filter(prefix=token))
        if not matches:
            raise CommandError(f"No API token has the id or prefix {token!r}.")
        if len(matches) > 1:
            ids = ", ".join(str(m.pk) for m in matches)
            raise CommandError(f"The prefix {token!r} matches several tokens (ids {ids}); give the id instead.")
        record = matches[0]
        if record.revoked_at is not None:
            self.stdout.write(f"Token {record.pk} '{record.name}' was already revoked at {record.revoked_at.isoformat()}.")
            return
        revoke_api_token(token=record)
        self.stdout.write(f"Revoked token {record.pk} '{record.name}'. Requests with it are refused from now on.")
