"""Periodic jobs: the table of what is due when, and the record of every run (logic in firstcontact.scheduling)."""
from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = "Scheduled jobs"
