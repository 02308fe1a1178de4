"""Keeping a signed-in session alive while it is used, without writing it on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TOUCHED_KEY = "_touched_at"


class IdleSessionMiddleware:
    """Move a session's idle expiry forward at most once every ``SESSION_TOUCH_SECONDS``.

    Writing the session on every request (Django's SESSION_SAVE_EVERY_REQUEST) costs each staff
    request an UPDATE and a commit, a wait for the disk on every page, panel and poll. Instead the
    session is re-saved, which restarts its SESSION_COOKIE_AGE, only when the last save is older
    than a minute. The idle limit therefore holds to within that minute, on the short side: a
    screen left alone signs itself out between 59 and 60 minutes after it was last used (with the
    defaults), never later.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or getattr(session, "accessed", False) is False:
            return response
        now = int(time.time())
        touched = session.get(TOUCHED_KEY)
        if not isinstance(touched, int) or now - touched >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED_KEY] = now  # marks the session modified: SessionMiddleware saves it
        return response
