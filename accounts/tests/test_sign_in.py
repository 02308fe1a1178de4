"""Signing in and out, and the lock after repeated failures."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

SIGN_IN = "/staff/sign-in/"


def test_sign_in_page_is_a_govuk_form(client):
    html = client.get(SIGN_IN).content.decode()
    assert "<title>Sign in – FirstContact</title>" in html
    assert '<label class="govuk-label govuk-label--s" for="id_username">Username</label>' in html
    assert 'class="govuk-input"' in html and 'type="password"' in html
    assert "autofocus" not in html


def test_correct_details_sign_in_and_land_on_the_home_page(client, call_handler, password):
    response = client.post(SIGN_IN, {"username": "handler1", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").context["user"] == call_handler


def test_wrong_password_and_unknown_user_get_the_same_message(client, call_handler):
    wrong_password = client.post(SIGN_IN, {"username": "handler1", "password": "not-it"}).content.decode()
    unknown_user = client.post(SIGN_IN, {"username": "nobody", "password": "not-it"}).content.decode()
    message = "Enter a correct username and password. Both are case-sensitive."
    assert message in wrong_password
    assert message in unknown_user
    assert "<title>Error: Sign in" in wrong_password
    # The username typed is kept; the password is not sent back.
    assert 'value="handler1"' in wrong_password
    assert 'value="not-it"' not in wrong_password


def test_empty_form_names_both_fields(client):
    html = client.post(SIGN_IN, {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


def test_sign_out_needs_a_post_and_ends_the_session(client, call_handler):
    client.force_login(call_handler)
    assert client.get("/staff/sign-out/").status_code == 405
    response = client.post("/staff/sign-out/")
    assert response["Location"] == "/staff/signed-out/"
    assert "You have signed out" in client.get("/staff/signed-out/").content.decode()
    assert client.get("/staff/")["Location"].startswith("/staff/sign-in/")


def test_staff_pages_send_a_signed_out_user_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/?next=/staff/"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_and_say_for_how_long(client, call_handler, password):
    for _ in range(2):
        assert client.post(SIGN_IN, {"username": "handler1", "password": "wrong"}).status_code == 200
    locked = client.post(SIGN_IN, {"username": "handler1", "password": "wrong"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Your account is locked" in html
    assert "locked for 30 minutes" in html
    assert "administrator" in html
    # Even the right password is refused while the lock lasts.
    assert client.post(SIGN_IN, {"username": "handler1", "password": password}).status_code == 429


def _stored_session(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def _age_session(client, seconds: int) -> None:
    """Move the session's last touch and its expiry back, as if ``seconds`` had passed since then."""
    from datetime import timedelta

    from accounts.middleware import TOUCHED_KEY

    session = client.session
    session[TOUCHED_KEY] = session[TOUCHED_KEY] - seconds
    session.save()
    stored = _stored_session(client)
    stored.expire_date -= timedelta(seconds=seconds)
    stored.save()


def test_the_session_ends_when_the_browser_closes(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_using_the_service_keeps_the_session_alive_writing_it_at_most_once_a_minute(client, call_handler,
                                                                                     password):
    client.post(SIGN_IN, {"username": "handler1", "password": password})
    client.get("/staff/")
    first = _stored_session(client).expire_date
    # Within the minute: no write, the expiry stays where it was.
    client.get("/staff/")
    client.get("/staff/")
    assert _stored_session(client).expire_date == first
    # Over a minute since the last write: the next request moves the expiry forward.
    _age_session(client, 90)
    aged = _stored_session(client).expire_date
    client.get("/staff/")
    assert _stored_session(client).expire_date > aged


def test_a_session_left_idle_past_the_limit_signs_itself_out(client, call_handler, password, settings):
    client.post(SIGN_IN, {"username": "handler1", "password": password})
    assert client.get("/staff/").status_code == 200
    _age_session(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")
