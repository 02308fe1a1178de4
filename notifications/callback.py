"""GOV.UK Notify's delivery-receipt callback: a public URL Notify posts each message's fate to.

Notify authenticates itself with the bearer token set in its callback settings; we compare it
in constant time with ``NOTIFY_CALLBACK_TOKEN`` and answer 401 to anything else, so nobody can
mark a message delivered or failed. With no token configured, the endpoint refuses everything.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services import record_delivery_receipt

MAX_BODY_BYTES = 64 * 1024


def _authorised(request: HttpRequest) -> bool:
    expected = settings.NOTIFY_CALLBACK_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not expected or scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


@csrf_exempt  # a machine-to-machine POST authenticated by its bearer token, not a browser form
@require_POST
def delivery_receipt(request: HttpRequest) -> JsonResponse:
    """Record a delivery receipt (JSON with id, reference, status, completed_at...)."""
    if not _authorised(request):
        response = JsonResponse({"error": "A valid bearer token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="notifications"'
        return response
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"error": "The receipt is too large."}, status=413)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "The body must be JSON."}, status=400)
    if not isinstance(payload, dict) or not (payload.get("id") or payload.get("reference")):
        return JsonResponse({"error": "The receipt must be a JSON object with id or reference."}, status=400)
    try:
        message = record_delivery_receipt(payload=payload)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    # Notify retries a callback that does not get a 2xx; an unknown message will never become
    # known, so it is acknowledged (and says so) rather than retried for days.
    return JsonResponse({"recorded": message is not None})
