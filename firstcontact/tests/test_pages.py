"""Public pages, the page shell and the error pages, through Django's test client."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_public_home_tells_a_caller_when_to_call_999_and_101(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Contact Demo Constabulary – FirstContact</title>" in html
    assert '<div class="fc-emergency-banner">' in html
    assert "In an emergency, call 999. Non-emergency: 101" in html
    assert "press 55" in html
    assert "NHS 111" in html


def test_public_pages_use_the_generic_header_without_the_crown(client):
    html = client.get("/").content.decode()
    assert "govuk-generic-header__homepage-link" in html
    # The crown and the GOV.UK logotype belong to GOV.UK services only.
    assert "govuk-logo" not in html
    assert "govuk-header__logotype" not in html
    assert "<svg" not in html


@pytest.mark.parametrize("path", ["/", "/accessibility/"])
def test_every_public_page_has_the_quick_exit_going_where_settings_say(client, settings, path):
    settings.QUICK_EXIT_URL = "https://www.example.org/weather"
    html = client.get(path).content.decode()
    assert 'data-module="govuk-exit-this-page"' in html
    assert 'href="https://www.example.org/weather"' in html
    assert "firstcontact/public.mjs" in html


def test_inline_script_carries_the_csp_nonce_sent_in_the_header(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert 'style="' not in html


def test_skip_link_is_the_first_thing_in_the_body(client):
    html = client.get("/").content.decode()
    body = html.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body).group(0)
    assert 'href="#main-content"' in first_link
    assert 'id="main-content"' in html


def test_accessibility_statement_has_the_sections_the_regulations_ask_for(client):
    html = client.get("/accessibility/").content.decode()
    for heading in (
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in html, heading
    assert "Equality and Human Rights Commission" in html
    assert "WCAG" in html and "2.2" in html
    assert "axe-core" in html
    assert re.search(r"prepared on \d{1,2} \w+ \d{4}", html)


def test_footer_links_to_the_accessibility_statement_and_staff_sign_in(client):
    html = client.get("/").content.decode()
    assert 'href="/accessibility/">Accessibility statement' in html
    assert 'href="/staff/sign-in/">Staff sign in' in html


def test_unknown_page_gets_the_not_found_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found – FirstContact</title>" in html
    assert "Exit this page" in html


def test_signed_in_user_sees_not_found_in_the_staff_shell(client, call_handler):
    client.force_login(call_handler)
    html = client.get("/staff/no-such-page/").content.decode()
    assert "moj-header" in html
    assert "Page not found" in html


def test_forbidden_page_explains_roles(client, call_handler):
    client.force_login(call_handler)
    response = client.get("/staff/audit/")
    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


@pytest.mark.django_db(transaction=False)
def test_server_error_page_needs_neither_database_nor_request(django_db_blocker):
    """The 500 page is shown when the database may be the thing that failed."""
    with django_db_blocker.block():
        html = render_to_string("500.html")
        response = server_error(RequestFactory().get("/"))
    assert "Sorry, there is a problem with the service" in html
    assert response.status_code == 500
    assert b"call 999" in response.content
