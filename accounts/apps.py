from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff and teams"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import backends, services

        # Roles are defined in code (permissions.py); after every migrate the groups are brought in line.
        post_migrate.connect(services.sync_roles_after_migrate, sender=self)
        backends.connect_signals()
