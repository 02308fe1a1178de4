"""Permissions read in one query a request, with what each role allows kept per process."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts import backends
from accounts.backends import RolePermissionBackend
from accounts.models import User
from accounts.permissions import ROLES


def _fresh(user: User) -> User:
    """The user as the next request loads them: no permission set cached on the object."""
    return User.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def _empty_catalogue():
    backends.forget()
    yield
    backends.forget()


@pytest.mark.parametrize("role", [role.slug for role in ROLES])
def test_every_role_has_exactly_the_permissions_django_would_give_it(make_user, role):
    user = make_user(role)
    assert RolePermissionBackend().get_all_permissions(_fresh(user)) == ModelBackend().get_all_permissions(_fresh(user))
    assert _fresh(user).get_all_permissions() == ModelBackend().get_all_permissions(_fresh(user))


def test_one_query_a_request_once_the_roles_are_known(make_user, django_assert_num_queries):
    user = make_user("supervisor")
    RolePermissionBackend().get_all_permissions(_fresh(user))  # loads the catalogue
    user = _fresh(user)
    with django_assert_num_queries(1):
        assert user.has_perm("accounts.search_people")
        assert not user.has_perm("accounts.manage_users")  # ModelBackend reads the same set: no query
        assert user.has_perms(["accounts.search_people"])


def test_a_role_taken_away_applies_at_the_next_request(make_user):
    user = make_user("call-handler")
    assert _fresh(user).has_perm("accounts.search_people")
    user.groups.clear()
    assert not _fresh(user).has_perm("accounts.search_people")


def test_a_permission_given_directly_counts_and_a_new_role_is_found(make_user):
    user = make_user(None)
    assert not _fresh(user).has_perm("accounts.search_people")
    user.user_permissions.add(Permission.objects.get(codename="search_people"))
    assert _fresh(user).has_perm("accounts.search_people")
    user.user_permissions.clear()
    group = Group.objects.create(name="Night shift lead")
    group.permissions.add(Permission.objects.get(codename="search_people"))
    RolePermissionBackend().get_all_permissions(_fresh(user))  # the catalogue is loaded now
    # As if the role had been made in another process after this one loaded the catalogue (no
    # signal reached it): its id is unknown, so the catalogue is read again rather than the role
    # taken to allow nothing.
    backends._catalogue.group_ids.discard(group.pk)
    backends._catalogue.groups.pop(group.pk, None)
    user.groups.add(group)
    assert _fresh(user).has_perm("accounts.search_people")


def test_a_change_to_what_a_role_allows_applies_at_once_in_this_process(make_user):
    user = make_user("call-handler")
    group = user.groups.get()
    assert _fresh(user).has_perm("accounts.search_people")
    group.permissions.remove(Permission.objects.get(codename="search_people"))
    assert not _fresh(user).has_perm("accounts.search_people")


def test_in_another_process_the_change_applies_within_the_cache_time(make_user, settings):
    user = make_user("call-handler")
    group = user.groups.get()
    assert _fresh(user).has_perm("accounts.search_people")
    stale = backends._catalogue
    group.permissions.remove(Permission.objects.get(codename="search_people"))  # forgets this process's copy
    backends._catalogue = stale  # as another process still holds it
    settings.PERMISSION_CACHE_SECONDS = 300
    assert _fresh(user).has_perm("accounts.search_people")  # within the cache time: the old answer
    settings.PERMISSION_CACHE_SECONDS = 0
    assert not _fresh(user).has_perm("accounts.search_people")  # past it: read again


def test_inactive_staff_have_nothing_and_a_superuser_has_everything(make_user):
    user = make_user("supervisor")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert RolePermissionBackend().get_all_permissions(_fresh(user)) == set()
    User.objects.filter(pk=user.pk).update(is_active=True, is_superuser=True)
    assert RolePermissionBackend().get_all_permissions(_fresh(user)) == {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }


def test_it_never_signs_anyone_in_and_sessions_keep_naming_the_model_backend(client, make_user, password):
    user = make_user("supervisor")
    assert RolePermissionBackend().authenticate(None, username=user.username, password=password) is None
    assert not hasattr(RolePermissionBackend(), "get_user")
    client.force_login(user)
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/staff/").status_code == 200
