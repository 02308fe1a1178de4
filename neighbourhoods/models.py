"""Local policing areas, data.police.uk street-level crime, hotspot results and patrols."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Team

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


class LocalPolicingArea(models.Model):
    """The ground a local policing team covers: a list of LSOA codes, or a GeoJSON polygon.

    A force chooses either per team; LSOAs match data.police.uk rows exactly, a polygon suits a
    beat that cuts across LSOA boundaries.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="policing_area")
    lsoa_codes = models.JSONField(default=list, blank=True, help_text="2021 LSOA codes, e.g. E01029600.")
    polygon = models.JSONField(
        null=True, blank=True, help_text="A GeoJSON Polygon or MultiPolygon (longitude, latitude)."
    )
    resolution = models.PositiveSmallIntegerField(default=9, help_text="H3 resolution of the team's hotspot grid.")

    def __str__(self) -> str:
        return f"Area of {self.team}"


class StreetCrime(models.Model):
    """One row of a data.police.uk street-level file: a crime or an anti-social behaviour incident.

    ``row_key`` makes re-imports idempotent. A crime is keyed by its Crime ID; ASB rows have none,
    so they are keyed by a hash of the row's content plus how many identical rows came before it
    in the same month (two identical ASB reports at one point are two incidents, not a duplicate).
    """

    row_key = models.CharField(max_length=80, unique=True)
    crime_id = models.CharField(max_length=64, blank=True)
    month = models.CharField(max_length=7, help_text="YYYY-MM")
    reported_by = models.CharField(max_length=80, blank=True)
    falls_within = models.CharField(max_length=80, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    lsoa_code = models.CharField(max_length=12, blank=True)
    lsoa_name = models.CharField(max_length=80, blank=True)
    crime_type = models.CharField(max_length=60)
    last_outcome = models.CharField(max_length=120, blank=True)
    h3_cell = models.CharField(max_length=16, blank=True, help_text="H3 resolution-9 cell of the snap point.")

    class Meta:
        indexes = [
            models.Index(fields=["month"], name="streetcrime_month"),
            models.Index(fields=["lsoa_code", "month"], name="streetcrime_lsoa_month"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_type}, {self.month}, {self.location}"


class ImportRun(models.Model):
    """One import of street-level files: what was read, created, skipped as duplicate or refused."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    files = models.JSONField(default=list)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    bad_rows = models.JSONField(default=list, help_text="[{file, line, problem}] for every refused row.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import of {self.rows_read} rows at {self.started_at:%Y-%m-%d %H:%M}"


class HotspotRun(models.Model):
    """Hotspots computed for one team from the months ``first_month``…``last_month``."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="hotspot_runs")
    computed_at = models.DateTimeField()
    first_month = models.CharField(max_length=7)
    last_month = models.CharField(max_length=7)
    predicted_month = models.CharField(max_length=7)
    resolution = models.PositiveSmallIntegerField()
    events = models.PositiveIntegerField()
    fdr_threshold = models.FloatField()

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"Hotspots for {self.team}, {self.first_month} to {self.last_month}"

    @staticmethod
    def _month_name(month: str) -> str:
        year, number = month.split("-")
        return f"{MONTH_NAMES[int(number) - 1]} {year}"

    @property
    def period(self) -> str:
        """The months the run read, in words: "January 2025 to September 2025"."""
        return f"{self._month_name(self.first_month)} to {self._month_name(self.last_month)}"

    @property
    def predicted_month_name(self) -> str:
        return self._month_name(self.predicted_month)


class HotspotCell(models.Model):
    """One H3 cell of a hotspot run: counts, Gi*, and its rank for next month."""

    class Significance(models.TextChoices):
        HOT = "hot", "Hot spot (significant)"
        COLD = "cold", "Cold spot (significant)"
        NONE = "none", "Not significant"

    run = models.ForeignKey(HotspotRun, on_delete=models.CASCADE, related_name="cells")
    cell = models.CharField(max_length=16)
    count = models.PositiveIntegerField()
    crime_types = models.JSONField(default=dict, help_text="Count per crime type over the run's months.")
    z_score = models.FloatField()
    p_value = models.FloatField()
    significance = models.CharField(max_length=4, choices=Significance.choices)
    predicted_score = models.FloatField()
    rank = models.PositiveIntegerField(help_text="1 = most likely hotspot next month.")
    top_location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "cell"], name="hotspotcell_unique_per_run")]

    def __str__(self) -> str:
        return f"{self.cell} (rank {self.rank})"


class PatrolLog(models.Model):
    """A patrol an officer carried out in one hotspot cell: when, and for how long (the dosage)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="patrols")
    cell = models.CharField(max_length=16)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols")
    started_at = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.minutes} min in {self.cell} by {self.officer}"
