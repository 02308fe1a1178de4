from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from accounts.models import Team, User
from accounts.permissions import ROLES_BY_SLUG
from accounts.services import sync_roles

TEST_PASSWORD = "correct-horse-battery"  # noqa: S105


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.CONTACT_CENTRE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """``UserFactory(role="call-handler")`` puts the user in that role's group."""
        if create:
            self.save()
        if not create or not extracted:
            return
        sync_roles()
        self.groups.add(Group.objects.get(name=ROLES_BY_SLUG[extracted].name))
