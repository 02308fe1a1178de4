"""The JSON API root (django-ninja). Apps add their routers here.

Integrations authenticate with a bearer token limited to scopes
(``accounts.scopes``); staff already signed in may use the API with their
session and act on their own permissions. The OpenAPI schema and the
interactive docs are for signed-in staff and token holders only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, django_auth

from accounts.models import ApiToken
from accounts.scopes import SCOPE_PERMISSIONS, SCOPES
from accounts.services import authenticate_api_token

UNAUTHORISED = "Unauthorized"


class TokenAuth(HttpBearer):
    """Bearer token for integrations; the token's scopes are checked by ``require_scope``.

    A request that presents a bearer token stands or falls by it: an unknown,
    revoked or expired token is refused (401) even if a session cookie also
    came along, so a broken integration is noticed rather than silently
    running as whoever last signed in on that browser.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        record = authenticate_api_token(token.strip())
        if record is None:
            raise AuthenticationError()
        request.api_token = record
        return record


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse (403, naming what is missing) a caller not allowed to act within ``scope``.

    A token must hold the scope itself. A signed-in member of staff must hold
    the permission that stands for the scope (``accounts.scopes.SCOPE_PERMISSIONS``).
    """
    if scope not in SCOPES:
        # A typo in an endpoint must fail loudly in tests, not grant or refuse by accident.
        raise ValueError(f"Unknown scope {scope!r}; defined scopes: {', '.join(sorted(SCOPES))}.")
    token = getattr(request, "api_token", None)
    if token is not None:
        if scope not in token.scopes:
            raise HttpError(403, f"This token lacks the scope {scope!r}.")
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise AuthenticationError()
    permission = SCOPE_PERMISSIONS[scope]
    if not user.has_perm(f"accounts.{permission}"):
        raise HttpError(403, f"Your role lacks the permission {permission!r} needed for the scope {scope!r}.")


def scopes_of(request: HttpRequest) -> list[str]:
    """The scopes the caller may act within: a token's own, or those a staff member's permissions cover."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return sorted(token.scopes)
    user = request.user
    return sorted(scope for scope, perm in SCOPE_PERMISSIONS.items() if user.has_perm(f"accounts.{perm}"))


def signed_in_or_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guard the schema and docs: a signed-in member of staff or a live token; others go to sign-in."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and authenticate_api_token(token.strip()) is not None:
            return view(request, *args, **kwargs)
        if header:
            response = HttpResponse(UNAUTHORISED, status=401, content_type="text/plain")
            response["WWW-Authenticate"] = 'Bearer realm="FirstContact API"'
            return response
        return redirect_to_login(request.get_full_path())

    return guarded


api = NinjaAPI(
    title="FirstContact API",
    version="1",
    description=(
        "Contact and demand management. Integrations authenticate with a bearer token "
        "issued by an administrator and limited to scopes; signed-in staff may use their session."
    ),
    auth=[TokenAuth(), django_auth],
    docs_decorator=signed_in_or_token,
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401 with the same body for every failure, and the challenge RFC 6750 asks for."""
    response = api.create_response(request, {"detail": UNAUTHORISED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="FirstContact API"'
    return response


class WhoAmI(Schema):
    kind: str
    name: str
    scopes: list[str]


@api.get("/whoami", response=WhoAmI, summary="Who this request is authenticated as, and its scopes")
def whoami(request: HttpRequest) -> dict:
    token = getattr(request, "api_token", None)
    if token is not None:
        return {"kind": "token", "name": token.name, "scopes": scopes_of(request)}
    return {"kind": "session", "name": request.user.get_username(), "scopes": scopes_of(request)}


api.add_router("/demand/", "demand.api.router")
api.add_router("/people/", "people.api.router")
