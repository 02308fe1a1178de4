"""The role home page: who you are, what your role can do, and where you can go."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from accounts.permissions import PERMISSION_SENTENCES, ROLES
from accounts.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.slug)
def test_each_role_sees_its_name_summary_and_every_permission_sentence(client, make_user, role):
    user = make_user(role.slug, first_name="Jo", last_name="Bloggs")
    user.teams.add(TeamFactory(name="Hanley Resolution Centre"))
    client.force_login(user)
    html = client.get("/staff/").content.decode()
    assert f"Signed in as Jo Bloggs — {role.name} — Hanley Resolution Centre" in html
    assert escape(role.summary) in html
    for codename in role.permissions:
        assert escape(PERMISSION_SENTENCES[codename]) in html
    others = {sentence for code, sentence in PERMISSION_SENTENCES.items() if code not in role.permissions}
    for sentence in others:
        assert escape(sentence) not in html


def test_only_the_data_protection_officer_is_offered_the_audit_log(client, dpo, call_handler):
    client.force_login(dpo)
    html = client.get("/staff/").content.decode()
    assert html.count('href="/staff/audit/"') == 2  # the navigation and the home page's list
    client.force_login(call_handler)
    assert 'href="/staff/audit/"' not in client.get("/staff/").content.decode()


def test_administrator_is_offered_the_administration_site(client, make_user):
    admin = make_user("administrator", is_staff=True)
    client.force_login(admin)
    html = client.get("/staff/").content.decode()
    assert 'href="/django-admin/"' in html


def test_every_role_is_offered_the_api_documentation(client, call_handler):
    client.force_login(call_handler)
    assert 'href="/api/docs"' in client.get("/staff/").content.decode()


def test_user_with_two_roles_sees_both_and_each_sentence_once(client, make_user):
    from django.contrib.auth.models import Group

    user = make_user("call-handler")
    user.groups.add(Group.objects.get(name="Supervisor"))
    client.force_login(user)
    html = client.get("/staff/").content.decode()
    assert "Call handler, Supervisor" in html
    assert html.count(escape(PERMISSION_SENTENCES["search_people"])) == 1


def test_user_with_no_role_is_told_to_ask_for_one_and_sees_nothing_else(client, outsider):
    client.force_login(outsider)
    html = client.get("/staff/").content.decode()
    assert "Ask an administrator to give you a role" in html
    assert "What you can do" not in html
    assert "/api/docs" not in html
    assert "/staff/audit/" not in html
    assert "Signed in as" not in html


def test_header_names_the_user_and_offers_sign_out(client, call_handler):
    client.force_login(call_handler)
    html = client.get("/staff/").content.decode()
    assert call_handler.get_full_name() in html
    assert 'action="/staff/sign-out/"' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize(
    ("role", "offered", "not_offered"),
    [
        ("neighbourhood-inspector", ["Hotspots"], ["Contacts", "Demand", "Audit log"]),
        ("contact-centre-manager", ["Demand"], ["Hotspots", "Crime recording"]),
        ("call-handler", ["Contacts", "People"], ["Demand", "Duplicates"]),
        ("crime-admin", ["Crime recording", "Duplicates"], ["Hotspots"]),
    ],
)
def test_the_home_page_offers_the_same_sections_as_the_navigation(client, make_user, role, offered, not_offered):
    """A section a role may open is a card on its home page and an item in its navigation; others are neither."""
    client.force_login(make_user(role))
    html = client.get("/staff/").content.decode()
    nav = html.split('class="moj-primary-navigation__list"', 1)[1].split("</ul>", 1)[0]
    main = html.split('id="main-content"', 1)[1]
    for title in offered:
        assert f">{title}</a>" in nav
        assert f">{title}</a>" in main
    for title in not_offered:
        assert f">{title}</a>" not in nav
        assert f">{title}</a>" not in main
