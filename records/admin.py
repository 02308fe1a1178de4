"""Administration of the retention policy: reference data administrators edit once the force confirms it."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import RetentionRule

MANAGE = "accounts.manage_reference_data"


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("title", "record_kind", "mopi_group", "review_after_years", "until_age", "confirmed_by_force",
                    "active")
    list_filter = ("record_kind", "mopi_group", "confirmed_by_force", "active")
    # The code is what the finder keys on: changing it would silently switch a rule off.
    readonly_fields = ("code", "record_kind")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_add_permission(self, request: HttpRequest) -> bool:  # noqa: ARG002
        # Each rule needs a finder in records.finder; new kinds come with code, not from this screen.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        # Reviews point at their rule; switch a rule off (active) instead.
        return False
