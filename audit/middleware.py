from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import audit_context

# A caller's request id is kept only if it is short and plain: it is stored in every audit
# entry of the request (64 characters at most) and echoed in a response header.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class AuditContextMiddleware:
    """Tag audit entries written during a request with its source and a request id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else None
        with audit_context(source=source, request_id=request_id) as ctx:
            request.audit_request_id = ctx.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response
