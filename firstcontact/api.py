"""The JSON API root (django-ninja). Apps add their routers here.

Integrations authenticate with a bearer token limited to scopes
(``accounts.scopes``); staff already signed in may use the API with their
session. The interactive docs are for signed-in staff only.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from accounts.models import ApiToken
from accounts.services import authenticate_api_token


class TokenAuth(HttpBearer):
    """Bearer token for integrations; the token's scopes are checked by ``require_scope``."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        record = authenticate_api_token(token)
        if record is not None:
            request.api_token = record
        return record


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse (403) a token that lacks ``scope``; a signed-in staff session passes on its permissions."""
    token = getattr(request, "api_token", None)
    if token is None:
        return
    if scope not in token.scopes:
        raise HttpError(403, f"This token lacks the scope {scope!r}.")


api = NinjaAPI(
    title="FirstContact API",
    version="1",
    description="Contact and demand management. Authenticate with a bearer token issued by an administrator.",
    auth=[TokenAuth(), django_auth],
    docs_decorator=staff_member_required,
    urls_namespace="api",
)


class WhoAmI(Schema):
    kind: str
    name: str
    scopes: list[str]


@api.get("/whoami", response=WhoAmI, summary="Who this request is authenticated as")
def whoami(request: HttpRequest) -> dict:
    token = getattr(request, "api_token", None)
    if token is not None:
        return {"kind": "token", "name": token.name, "scopes": token.scopes}
    return {"kind": "session", "name": request.user.get_username(), "scopes": []}
