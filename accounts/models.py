from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from .permissions import PERMISSIONS


class Team(models.Model):
    """A team of the force: the contact centre, a resolution centre, or a local policing team.

    Names are data: a force adds, renames or retires teams without a code change.
    """

    class Kind(models.TextChoices):
        CONTACT_CENTRE = "contact_centre", "Force contact centre"
        RESOLUTION_CENTRE = "resolution_centre", "Resolution centre"
        LOCAL_POLICING = "local_policing", "Local policing team"
        CRIME_ADMIN = "crime_admin", "Crime admin bureau"
        HEADQUARTERS = "headquarters", "Headquarters"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Roles are groups (see ``accounts.permissions``)."""

    collar_number = models.CharField(max_length=20, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")

    class Meta:
        permissions = PERMISSIONS
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> list[str]:
        return [group.name for group in self.groups.all()]


class ApiToken(models.Model):
    """A bearer token for an integration (telephony, an online-report gateway), limited to scopes.

    Only a SHA-256 digest of the token is stored; the token itself is shown once, when issued.
    """

    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, db_index=True, help_text="The first characters, to recognise a token.")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
