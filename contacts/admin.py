"""Administration of call-taking reference data: grading rules (incident types stay with their migration)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AdviceArticle, AppointmentPattern, GradingRule, PartnerAgency, QualityChecklist

MANAGE = "accounts.manage_reference_data"


class ReferenceDataOnly:
    """Reference data is for administrators who may manage it; retire a row instead of deleting it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        return request.user.has_perm(MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ARG002
        # Decisions keep a copy of the rules that fired; retiring a rule (active off) keeps the table honest.
        return False


@admin.register(GradingRule)
class GradingRuleAdmin(ReferenceDataOnly, admin.ModelAdmin):
    list_display = ("position", "name", "grade", "route", "active")
    list_display_links = ("name",)
    list_filter = ("active", "grade", "route")
    search_fields = ("name", "text")
    ordering = ("position", "name")
    fieldsets = (
        (None, {"fields": ("name", "text", "position", "active")}),
        ("When", {"fields": (
            "channel", "incident_category", "incident_type", "threat_at_least", "harm_at_least", "risk_at_least",
            "investigation", "vulnerability_at_least", "engagement", "requires_repeat_victim",
            "requires_repeat_location", "requires_vulnerability_factor",
        )}),
        ("Then suggest", {"fields": ("grade", "route")}),
    )


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(ReferenceDataOnly, admin.ModelAdmin):
    list_display = ("name", "contact_details", "active")
    search_fields = ("name", "handles")


@admin.register(AdviceArticle)
class AdviceArticleAdmin(ReferenceDataOnly, admin.ModelAdmin):
    list_display = ("title", "active", "updated_at")
    search_fields = ("title", "keywords", "body")
    filter_horizontal = ("incident_types",)


@admin.register(AppointmentPattern)
class AppointmentPatternAdmin(ReferenceDataOnly, admin.ModelAdmin):
    list_display = ("team", "name", "starts", "ends", "slot_minutes", "capacity", "active")
    list_filter = ("active", "team")


@admin.register(QualityChecklist)
class QualityChecklistAdmin(ReferenceDataOnly, admin.ModelAdmin):
    list_display = ("name", "version", "active")
