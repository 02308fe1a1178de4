"""Administration of crime-recording reference data: Home Office classifications, outcome types, C-codes.

Crimes themselves are not edited here: every change to a crime goes through
``cases.services``, which audits it.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import CancellationCode, HomeOfficeClassification, OutcomeType

MANAGE = "accounts.manage_reference_data"


class ReferenceData(admin.ModelAdmin):
    """For administrators who manage reference data; rows are retired, never deleted, so old crimes keep their meaning."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        return False


@admin.register(HomeOfficeClassification)
class HomeOfficeClassificationAdmin(ReferenceData):
    list_display = ("code", "name", "police_uk_category", "suggested_for", "active")
    list_filter = ("active", "police_uk_category")
    search_fields = ("code", "name")


@admin.register(OutcomeType)
class OutcomeTypeAdmin(ReferenceData):
    list_display = ("number", "name", "requires_victim_decision")

    def has_add_permission(self, request: HttpRequest, *args) -> bool:  # noqa: ARG002
        # The Home Office sets the outcome types; a new one arrives with a migration, not by hand.
        return False


@admin.register(CancellationCode)
class CancellationCodeAdmin(ReferenceData):
    list_display = ("code", "description")
