"""The outbox of messages to victims, the public and staff, and the senders (GOV.UK Notify, SMTP)."""
from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
