"""Person index API: call-time search and one person's record, for integrations and the benchmark.

Both need the ``people:read`` scope (staff: the search_people permission) and a reason,
which is logged with who asked: a token is logged under its name.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from . import selectors
from .matching import PartialDate

router = Router(tags=["people"])
SCOPE = "people:read"
DOB_INVALID = "dob must be a date of birth as YYYY-MM-DD, YYYY-MM or YYYY (or DD/MM/YYYY)"
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class TokenActor:
    """An API token standing in as the actor of a read: allowed what its scopes allow, logged by its name."""

    pk = None
    is_authenticated = True

    def __init__(self, token) -> None:
        self.username = f"api token: {token.name}"
        self._scopes = set(token.scopes)

    def has_perm(self, perm: str) -> bool:
        return perm == selectors.VIEW_PERMISSION and SCOPE in self._scopes

    def __str__(self) -> str:
        return self.username


def _actor(request: HttpRequest):
    # Imported here: firstcontact.api imports this module to mount the router.
    from firstcontact.api import require_scope

    require_scope(request, SCOPE)
    token = getattr(request, "api_token", None)
    return TokenActor(token) if token is not None else request.user


def _parse_dob(text: str | None) -> PartialDate | None:
    text = (text or "").strip()
    if not text:
        return None
    iso, uk = _ISO.fullmatch(text), _UK.fullmatch(text)
    if iso:
        year, month, day = iso.groups()
    elif uk:
        day, month, year = uk.groups()
    else:
        raise ValidationError({"dob": DOB_INVALID})
    return selectors.parse_partial_dob(day, month, year)


class ReasonOut(Schema):
    field: str
    level: str
    agrees: bool
    text: str


class CandidateOut(Schema):
    reference: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcodes: list[str]
    score: int = Field(..., ge=0, le=100)
    reasons: list[ReasonOut]


class SearchOut(Schema):
    results: list[CandidateOut]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str]


class RefusalOut(Schema):
    detail: str


def _refuse_invalid(exc: ValidationError) -> Status:
    errors = {name: messages[0] for name, messages in exc.message_dict.items()}
    return Status(422, {"detail": "; ".join(f"{k}: {v}" for k, v in errors.items()), "errors": errors})


@router.get("/search", response={200: SearchOut, 403: RefusalOut, 422: ErrorOut},
            summary="Find the likeliest people for a name, (partial) date of birth, phone, postcode or address")
def search(
    request: HttpRequest,
    reason: str,
    name: str | None = None,
    dob: str | None = None,
    phone: str | None = None,
    postcode: str | None = None,
    address: str | None = None,
    q: str | None = None,
    limit: int = 10,
):
    actor = _actor(request)
    try:
        results = selectors.search_people(
            actor=actor, reason=reason, name=name, dob=_parse_dob(dob), phone=phone, postcode=postcode,
            address=address, query=q, limit=limit,
        )
    except ValidationError as exc:
        return _refuse_invalid(exc)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return {"results": [
        {
            "reference": r.reference, "given_name": r.person.given_name, "family_name": r.person.family_name,
            "date_of_birth": r.person.date_of_birth, "postcodes": list(r.postcodes), "score": r.score,
            "reasons": [{"field": x.field, "level": x.level, "agrees": x.agrees, "text": x.text} for x in r.reasons],
        }
        for r in results
    ]}


class PersonOut(Schema):
    reference: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    gender: str
    phones: list[str]
    other_names: list[str]
    vulnerabilities: list[str]


@router.get("/persons/{reference}", response={200: PersonOut, 403: RefusalOut, 404: RefusalOut}, summary="One person's record, read for a reason")
def person(request: HttpRequest, reference: str, reason: str):
    actor = _actor(request)
    try:
        record = selectors.open_person(actor=actor, reason=reason, reference=reference)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except selectors.Person.DoesNotExist:
        raise HttpError(404, "No person has that reference.") from None
    p = record.person
    return {
        "reference": p.reference, "given_name": p.given_name, "family_name": p.family_name,
        "date_of_birth": p.date_of_birth, "gender": p.gender,
        "phones": sorted({p.phone_e164, *(x.number for x in record.phones)} - {""}),
        "other_names": [f"{n.given_name} {n.family_name}".strip() for n in record.other_names],
        "vulnerabilities": [m.kind for m in record.vulnerabilities if m.is_current],
    }
