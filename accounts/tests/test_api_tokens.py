"""API tokens: issued once from the command line or the admin, stored as a digest, revoked at once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.permissions import PERMISSION_SENTENCES
from accounts.services import authenticate_api_token, issue_api_token

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def issue(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


# --- management commands -------------------------------------------------------------


@pytest.mark.django_db
def test_issue_command_prints_the_token_once_and_stores_only_its_digest():
    token, explanation = issue("--name", "Telephony platform", "--scopes", "telephony:write,demand:read")
    assert token.startswith("fc_") and "\n" not in token
    assert "shown once" in explanation
    record = ApiToken.objects.get()
    assert record.scopes == ["demand:read", "telephony:write"]
    assert record.expires_at is None
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert token not in stored
    assert authenticate_api_token(token) == record


@pytest.mark.django_db
def test_issue_command_sets_the_expiry():
    token, _ = issue("--name", "Gateway", "--scopes", "reports:write", "--expires-days", "30")
    record = authenticate_api_token(token)
    assert record is not None
    assert timedelta(days=29, hours=23) < record.expires_at - timezone.now() <= timedelta(days=30)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--name", "Gateway", "--scopes", "reports:write,everything"], "--scopes"),
        (["--name", "Gateway", "--scopes", " , "], "--scopes"),
        (["--name", "   ", "--scopes", "reports:write"], "--name"),
        (["--name", "Gateway", "--scopes", "reports:write", "--expires-days", "0"], "--expires-days"),
    ],
)
def test_issue_command_names_the_bad_option(args, named):
    with pytest.raises(CommandError) as refused:
        issue(*args)
    assert named in str(refused.value)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_unknown_scope_message_lists_the_accepted_scopes():
    with pytest.raises(CommandError) as refused:
        issue("--name", "Gateway", "--scopes", "everything")
    assert "everything" in str(refused.value) and "telephony:write" in str(refused.value)


@pytest.mark.django_db
def test_revoke_command_by_prefix_and_by_id_stops_the_token_at_once():
    first, token_one = issue_api_token(name="One", scopes=["contacts:read"], issued_by=None)
    second, token_two = issue_api_token(name="Two", scopes=["contacts:read"], issued_by=None)
    out = io.StringIO()
    call_command("revoke_api_token", first.prefix, stdout=out)
    assert "Revoked" in out.getvalue()
    call_command("revoke_api_token", str(second.pk), stdout=io.StringIO())
    assert authenticate_api_token(token_one) is None
    assert authenticate_api_token(token_two) is None
    again = io.StringIO()
    call_command("revoke_api_token", str(second.pk), stdout=again)
    assert "already revoked" in again.getvalue()


@pytest.mark.django_db
def test_revoke_command_refuses_an_unknown_token():
    with pytest.raises(CommandError, match="fc_nope"):
        call_command("revoke_api_token", "fc_nope")


# --- administration screens -------------------------------------------------------------


@pytest.fixture
def administrator(make_user):
    return make_user("administrator", username="admin1", is_staff=True)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator, backend=MODEL_BACKEND)
    return client


def test_admin_issues_a_token_and_shows_it_once(admin_client, administrator):
    response = admin_client.post(
        "/django-admin/accounts/apitoken/add/",
        {"name": "Online report gateway", "scopes": ["reports:write", "contacts:write"], "expires_in_days": "90"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    assert token in response.content.decode()
    record = authenticate_api_token(token)
    assert record.issued_by == administrator
    assert record.scopes == ["contacts:write", "reports:write"]
    assert record.expires_at > timezone.now() + timedelta(days=89)

    # Afterwards the token is nowhere to be seen, only its prefix.
    listing = admin_client.get("/django-admin/accounts/apitoken/").content.decode()
    detail = admin_client.get(f"/django-admin/accounts/apitoken/{record.pk}/change/").content.decode()
    assert record.prefix in listing
    assert token not in listing and token not in detail


def test_admin_issue_form_names_the_field_in_error(admin_client):
    response = admin_client.post("/django-admin/accounts/apitoken/add/", {"name": "Gateway", "expires_in_days": "0"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "Choose at least one scope." in form.errors["scopes"]
    assert "expires_in_days" in form.errors
    assert "Gateway" in response.content.decode()  # what was typed is kept
    assert not ApiToken.objects.exists()


def test_admin_revoke_action(admin_client):
    record, token = issue_api_token(name="Old", scopes=["demand:read"], issued_by=None)
    response = admin_client.post(
        "/django-admin/accounts/apitoken/",
        {"action": "revoke_selected", "_selected_action": [record.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert authenticate_api_token(token) is None


def test_staff_without_manage_users_cannot_see_tokens_or_staff(client, make_user):
    handler = make_user("call-handler", is_staff=True)
    client.force_login(handler, backend=MODEL_BACKEND)
    for url in (
        "/django-admin/accounts/apitoken/add/",
        "/django-admin/accounts/apitoken/",
        "/django-admin/accounts/user/",
        "/django-admin/accounts/team/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(
        "/django-admin/accounts/apitoken/add/", {"name": "Sneaky", "scopes": ["contacts:read"]}
    ).status_code == 403
    assert not ApiToken.objects.exists()


def test_user_screen_shows_roles_and_what_they_allow(admin_client, make_user):
    handler = make_user("call-handler", username="casey")
    page = admin_client.get(f"/django-admin/accounts/user/{handler.pk}/change/").content.decode()
    assert "Roles" in page
    assert PERMISSION_SENTENCES["take_contacts"] in page
    assert PERMISSION_SENTENCES["manage_users"] not in page.split("What their roles allow")[1]


def test_role_screen_is_read_only_and_reads_as_sentences(admin_client):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Data protection officer")
    response = admin_client.get(f"/django-admin/auth/group/{group.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert PERMISSION_SENTENCES["view_audit_log"] in page
    assert 'name="permissions"' not in page  # no editable permission picker
    assert admin_client.get("/django-admin/auth/group/add/").status_code == 403


def test_administrator_adds_a_member_of_staff(admin_client):
    from accounts.models import User

    assert admin_client.get("/django-admin/accounts/user/add/").status_code == 200
    response = admin_client.post(
        "/django-admin/accounts/user/add/",
        {"username": "newstarter", "usable_password": "true", "password1": "long-enough-pass-42", "password2": "long-enough-pass-42"},
    )
    assert response.status_code == 302
    assert User.objects.filter(username="newstarter").exists()
