"""Read-only admin views of the person index: changes go through people.services, which audit them."""

from __future__ import annotations

from django.contrib import admin

from .models import Address, HouseholdMembership, Person


class ReadOnlyAdmin(admin.ModelAdmin):
    """Administrators can look, not edit: an edit here would bypass the audit log."""

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ARG002
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ARG002
        return False


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ("number_or_name", "street", "town", "postcode", "lsoa_code")
    search_fields = ("postcode", "street")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    # Names and dates of birth are not listed: opening a person's record goes through the audited selector.
    list_display = ("reference", "created_at")
    search_fields = ("reference",)


@admin.register(HouseholdMembership)
class HouseholdMembershipAdmin(ReadOnlyAdmin):
    list_display = ("person__reference", "address", "from_date", "to_date")
    raw_id_fields = ("person", "address")
