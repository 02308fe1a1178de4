"""Administration screens for staff, teams, roles and API tokens.

Only a member of staff whose role holds ``accounts.manage_users`` sees or
changes these (the administrator role). Roles are defined in code
(``accounts.permissions``), so their screen is read-only: it shows each role's
permissions as the sentences an administrator reads. Staff and tokens are
never deleted here: an account is deactivated and a token revoked, so that the
audit log and the token's history keep pointing at something real.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .models import ApiToken, Team, User
from .permissions import PERMISSION_SENTENCES, ROLES
from .scopes import SCOPES
from .services import issue_api_token, revoke_api_token

MANAGE_USERS = "accounts.manage_users"


class ManageUsersOnly:
    """Admin permissions follow the role permission ``manage_users``, not Django's per-model ones."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm(MANAGE_USERS)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.has_perm(MANAGE_USERS)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return request.user.is_active and request.user.has_perm(MANAGE_USERS)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.has_perm(MANAGE_USERS)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _sentences(codenames) -> str:
    return format_html_join("", "<li>{}</li>", ((PERMISSION_SENTENCES.get(c, c),) for c in codenames))


@admin.register(Team)
class TeamAdmin(ManageUsersOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "active", "member_count"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]

    @admin.display(description="Members")
    def member_count(self, team: Team) -> int:
        return team.members.count()


@admin.register(User)
class UserAdmin(ManageUsersOnly, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "collar_number", "role_list", "is_active"]
    list_filter = ["groups", "teams", "is_active"]
    search_fields = ["username", "first_name", "last_name", "collar_number", "email"]
    filter_horizontal = ["groups", "teams"]
    readonly_fields = ["permissions_held", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email", "collar_number"]}),
        (
            "Roles and teams",
            {
                "fields": ["groups", "permissions_held", "teams"],
                "description": "A role grants exactly the permissions listed for it in FirstContact's code.",
            },
        ),
        ("Access", {"fields": ["is_active", "is_staff", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label = "Roles"
            field.help_text = "The roles this member of staff holds; see Roles for what each allows."
        return field

    @admin.display(description="Roles")
    def role_list(self, user: User) -> str:
        return ", ".join(user.role_names) or "—"

    @admin.display(description="What their roles allow")
    def permissions_held(self, user: User) -> str:
        if user.pk is None:
            return "—"
        codenames = sorted(
            user.groups.values_list("permissions__codename", flat=True).exclude(permissions__codename=None).distinct()
        )
        if not codenames:
            return "Nothing: this account holds no role."
        return format_html("<ul>{}</ul>", _sentences(codenames))


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ManageUsersOnly, BaseGroupAdmin):
    """Roles, read-only: a role's permissions change with the code, never by hand."""

    list_display = ["name", "summary"]
    fields = ["name", "summary", "allows"]
    readonly_fields = ["name", "summary", "allows"]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Summary")
    def summary(self, group: Group) -> str:
        role = next((r for r in ROLES if r.name == group.name), None)
        return role.summary if role else "Not a FirstContact role."

    @admin.display(description="This role allows")
    def allows(self, group: Group) -> str:
        return format_html("<ul>{}</ul>", _sentences(sorted(group.permissions.values_list("codename", flat=True))))


class IssueTokenForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        help_text="Which system will use the token, e.g. 'Telephony platform (live)'.",
    )
    scopes = forms.MultipleChoiceField(
        choices=sorted(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Give only what the system needs.",
        error_messages={"required": "Choose at least one scope."},
    )
    expires_in_days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        initial=365,
        label="Expires in (days)",
        help_text="Leave empty for a token that does not expire (not recommended).",
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ManageUsersOnly, admin.ModelAdmin):
    """Tokens are issued here and shown once; after that only their prefix is known."""

    list_display = ["name", "prefix", "scope_list", "issued_by", "issued_at", "expires_at", "state", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = [
        "name", "prefix", "scope_sentences", "issued_by", "issued_at", "expires_at", "revoked_at", "last_used_at",
    ]
    fields = readonly_fields
    actions = ["revoke_selected"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Nothing about an issued token may be edited; it can only be revoked (an action).
        return False

    @admin.display(description="Scopes")
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    @admin.display(description="Scopes")
    def scope_sentences(self, token: ApiToken) -> str:
        items = format_html_join("", "<li>{}: {}</li>", ((s, SCOPES.get(s, "unknown scope")) for s in token.scopes))
        return format_html("<ul>{}</ul>", items)

    @admin.display(description="State")
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return "Revoked"
        if token.expires_at is not None and token.expires_at <= timezone.now():
            return "Expired"
        return "Live"

    @admin.action(description="Revoke the selected tokens")
    def revoke_selected(self, request: HttpRequest, queryset) -> None:
        if not self.has_add_permission(request):
            raise PermissionDenied
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_api_token(token=token)
            count += 1
        self.message_user(request, f"Revoked {count} token(s). Requests with them are refused from now on.")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Issue a token through the service and show it once; the database keeps only its digest."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IssueTokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            days = form.cleaned_data["expires_in_days"]
            try:
                record, token = issue_api_token(
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    issued_by=request.user,
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                context = {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "title": "Token issued",
                    "record": record,
                    "token": token,
                }
                # admin_view already marks every admin page no-store, so the token is kept in no cache.
                return TemplateResponse(request, "admin/accounts/apitoken/issued.html", context)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Issue an API token",
            "form": form,
            "scopes": SCOPES,
        }
        return TemplateResponse(request, "admin/accounts/apitoken/issue.html", context)
