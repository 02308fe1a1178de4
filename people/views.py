"""Staff pages of the person index: call-time search, a person's record (opened for a reason), and changes to it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .forms import (
    ChangeForm,
    CrimeLinkForm,
    DetailsForm,
    EmailForm,
    EndVulnerabilityForm,
    FindAddressForm,
    IdentifierForm,
    MoveForm,
    OpenPersonForm,
    OtherNameForm,
    PersonSearchForm,
    PhoneForm,
    PhoneKindForm,
    RemoveForm,
    VulnerabilityForm,
)
from .models import Person, PersonEmail, PersonIdentifier, PersonLink, PersonPhone, VulnerabilityMarker
from .selectors import ContactPoint

SEARCH_FIELDS = ("name", "dob_day", "dob_month", "dob_year", "phone", "postcode", "address")


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
@require_GET
def search(request: HttpRequest) -> TemplateResponse:
    """Search form and, once anything is typed, the best candidates with their scores and reasons."""
    submitted = any(request.GET.get(name, "").strip() for name in SEARCH_FIELDS)
    form = PersonSearchForm(request.GET if submitted else None)
    context: dict = {"form": form, "results": None}
    if not submitted:
        return TemplateResponse(request, "people/search.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "people/search.html", context, status=400)
    data = form.cleaned_data
    try:
        results = selectors.search_people(
            actor=request.user, reason=data["reason"], name=data["name"], dob=data["dob"], phone=data["phone"],
            postcode=data["postcode"], address=data["address"],
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages[0])
        return TemplateResponse(request, "people/search.html", context, status=400)
    open_query = urlencode({"context": data["reason"]})
    context.update(results=results, open_query=open_query)
    return TemplateResponse(request, "people/search.html", context)


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, reference: str) -> TemplateResponse:
    """Ask why the record is being opened (the reason defaults from where staff came from), then show it.

    The question comes before any lookup, so it looks the same for a reference that exists and one that does not.
    """
    if request.method == "GET":
        reason = _opening_reason(request, reference)
        if reason is None:
            initial = {"reason": request.GET.get("context", "").strip()[:200]}
            form = OpenPersonForm(initial=initial)
            return TemplateResponse(request, "people/open.html", {"form": form, "reference": reference})
    else:
        form = OpenPersonForm(request.POST)
        if not form.is_valid():
            return TemplateResponse(request, "people/open.html", {"form": form, "reference": reference}, status=400)
        reason = form.cleaned_data["reason"]
    try:
        record = selectors.open_person(actor=request.user, reason=reason, reference=reference)
    except selectors.Person.DoesNotExist:
        return _not_found(request, reference)
    _remember_opening(request, record.person.reference, reason)
    return TemplateResponse(request, "people/person.html", {
        "record": record, "reason": reason,
        # A record merged away is changed through the record it was merged into.
        "can_change": may_change(request.user) and not record.person.merged_into_id,
    })


def _not_found(request: HttpRequest, reference: str) -> TemplateResponse:
    return TemplateResponse(
        request, "people/not_found.html", {"reference": reference, "search_url": reverse("people:search")},
        status=404,
    )


# --- the reason a record is open for ----------------------------------------------------------------
# Staff give the reason once when they open a record; coming back to it (after a change, say) within
# OPEN_FOR reads it again under that reason, each view still logged, rather than asking again.

OPENED_SESSION_KEY = "people_opened"
OPEN_FOR = timedelta(minutes=30)
OPENED_KEPT = 20


def _remember_opening(request: HttpRequest, reference: str, reason: str) -> None:
    opened = dict(request.session.get(OPENED_SESSION_KEY, {}))
    opened.pop(reference, None)
    opened[reference] = [reason, timezone.now().isoformat()]
    request.session[OPENED_SESSION_KEY] = dict(list(opened.items())[-OPENED_KEPT:])


def _opening_reason(request: HttpRequest, reference: str) -> str | None:
    reason, at = request.session.get(OPENED_SESSION_KEY, {}).get(reference.strip().upper(), [None, None])
    if reason is None or datetime.fromisoformat(at) < timezone.now() - OPEN_FOR:
        return None
    return reason


# --- changes to a person's record -------------------------------------------------------------------

# Who may change a record: those whose work collects people's details (call handlers, the crime
# admin bureau, investigators, duplicate reviewers). Searching alone does not give it.
CHANGE_PERMISSIONS = (
    "accounts.take_contacts", "accounts.record_crimes", "accounts.investigate_crimes", "accounts.review_duplicates",
)


def may_change(user: Any) -> bool:
    """Whether ``user`` may add to or correct a person's record (besides searching the index)."""
    return user.has_perm(selectors.VIEW_PERMISSION) and any(user.has_perm(p) for p in CHANGE_PERMISSIONS)


def _gate(request: HttpRequest, reference: str) -> tuple[Person | None, HttpResponse | None]:
    """The person a change page is about, or the response that refuses or redirects instead.

    The record must have been opened for a reason first (that reason logs a change page's read).
    """
    if not may_change(request.user):
        raise PermissionDenied("You do not have permission to change people's records.")
    opening = _opening_reason(request, reference)
    if opening is None:
        return None, redirect(reverse("people:person", args=[reference]))
    try:
        person = (selectors.get_person(actor=request.user, reason=opening, reference=reference)
                  if request.method == "GET" else Person.objects.get(reference=reference.strip().upper()))
    except Person.DoesNotExist:
        return None, _not_found(request, reference)
    return person, None


def _change(
    request: HttpRequest,
    reference: str,
    *,
    form_class: type[ChangeForm],
    title: str,
    done: str,
    apply: Callable[[Person, dict[str, Any]], object],
    initial: Callable[[Person], dict[str, Any]] | None = None,
    lookup: Callable[[Person], Any] | None = None,
    summary: Callable[[Any], list[tuple[str, str]]] | None = None,
    button: str = "Save",
    warning: bool = False,
) -> HttpResponse:
    """One change page: ask for the change and its reason, make it through the service, back to the record.

    ``lookup`` finds the item the page is about on this person (a marker, a phone…); one that is not
    theirs, or no longer there, is a 404. A service's refusal is shown against its field with
    everything typed kept; the form's one-time token makes a second submission change nothing twice,
    even when the first removed the item the page was about.
    """
    person, refused = _gate(request, reference)
    if refused is not None:
        return refused
    if request.method == "POST" and services.already_done(request.POST.get("form_token")):
        messages.success(request, done)
        return redirect(reverse("people:person", args=[person.reference]))
    try:
        item = lookup(person) if lookup is not None else None
    except ObjectDoesNotExist:
        return _not_found(request, reference)
    if request.method == "GET":
        form = form_class(initial={"form_token": uuid.uuid4().hex, **(initial(person) if initial else {})})
    else:
        form = form_class(request.POST)
        if person.merged_into_id:
            form.add_error(None, "This record has been merged into another; make the change there.")
        elif form.is_valid():
            data = {**form.cleaned_data, "item": item}
            try:
                apply(person, data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors[0])
            except ObjectDoesNotExist:
                return _not_found(request, reference)
            except IntegrityError:
                # The same form sent twice at once: the other submission made the change.
                pass
            if form.is_valid():
                messages.success(request, done)
                return redirect(reverse("people:person", args=[person.reference]))
    return TemplateResponse(request, "people/change.html", {
        "form": form, "person": person, "title": title, "summary": summary(item) if summary and item else None,
        "button": button, "warning": warning,
    }, status=400 if request.method == "POST" else 200)


def _audit_args(data: dict[str, Any]) -> dict[str, Any]:
    return {"reason": data["reason"], "form_token": data.get("form_token") or None}


@login_required
@require_http_methods(["GET", "POST"])
def add_vulnerability(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark the person as vulnerable from a date, with the source."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.record_vulnerability(
            actor=request.user, person=person, kind=data["kind"], from_date=data["from_date"],
            to_date=data["to_date"], source=data["source"], notes=data["notes"], **_audit_args(data))
    return _change(request, reference, form_class=VulnerabilityForm, title="Add a vulnerability marker",
                   done="Vulnerability marker added", apply=apply)


@login_required
@require_http_methods(["GET", "POST"])
def end_vulnerability(request: HttpRequest, reference: str, marker_id: int) -> HttpResponse:
    """Record the date a vulnerability stopped applying; the marker stays in the history."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.end_vulnerability(actor=request.user, marker=data["item"], to_date=data["to_date"],
                                          **_audit_args(data))
    def summary(marker: VulnerabilityMarker) -> list[tuple[str, str]]:
        until = f" until {marker.to_date:%-d %B %Y}" if marker.to_date else ""
        return [("Vulnerability", marker.get_kind_display()),
                ("Applies from", f"{marker.from_date:%-d %B %Y}{until}"), ("Source", marker.source)]
    return _change(request, reference, form_class=EndVulnerabilityForm, title="End a vulnerability marker",
                   done="Vulnerability marker ended", apply=apply, summary=summary,
                   lookup=lambda person: VulnerabilityMarker.objects.get(pk=marker_id, person=person),
                   initial=lambda person: {"to_date": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def add_identifier(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a PNC ID, NHS number, passport or other reference, checked against its format."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.add_identifier(actor=request.user, person=person, kind=data["kind"], value=data["value"],
                                       issuer=data["issuer"], reason=data["reason"])
    return _change(request, reference, form_class=IdentifierForm, title="Add an identifier",
                   done="Identifier added", apply=apply)


@login_required
@require_http_methods(["GET", "POST"])
def add_other_name(request: HttpRequest, reference: str) -> HttpResponse:
    """Record an alias, a former name or a name at birth (searched like the current name)."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.record_other_name(
            actor=request.user, person=person, kind=data["kind"], given_name=data["given_name"],
            family_name=data["family_name"], from_date=data["from_date"], to_date=data["to_date"], **_audit_args(data))
    return _change(request, reference, form_class=OtherNameForm, title="Add another name",
                   done="Name added", apply=apply)


@login_required
@require_http_methods(["GET", "POST"])
def add_phone(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a phone number; the first one also becomes the person's main number."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.add_phone(actor=request.user, person=person, number=data["number"], kind=data["kind"],
                                  reason=data["reason"])
    return _change(request, reference, form_class=PhoneForm, title="Add a phone number",
                   done="Phone number added", apply=apply)


@login_required
@require_http_methods(["GET", "POST"])
def add_email(request: HttpRequest, reference: str) -> HttpResponse:
    """Add an e-mail address; the first one also becomes the person's main address."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.add_email(actor=request.user, person=person, address=data["address"], reason=data["reason"])
    return _change(request, reference, form_class=EmailForm, title="Add an e-mail address",
                   done="E-mail address added", apply=apply)


@login_required
@require_http_methods(["GET", "POST"])
def change_details(request: HttpRequest, reference: str) -> HttpResponse:
    """Correct the person's names, date of birth or gender; the audit entry names the fields changed."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        changes = {k: data[k] for k in ("given_name", "family_name", "date_of_birth", "gender")}
        return services.amend_person(actor=request.user, person=person, changes=changes, reason=data["reason"])
    return _change(request, reference, form_class=DetailsForm, title="Change personal details",
                   done="Personal details changed", apply=apply,
                   initial=lambda p: {"given_name": p.given_name, "family_name": p.family_name,
                                      "date_of_birth": p.date_of_birth, "gender": p.gender})


# --- crimes ---------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def link_crime(request: HttpRequest, reference: str) -> HttpResponse:
    """Link the person to a crime, by its reference, as victim, witness, suspect or other."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.record_crime_link(actor=request.user, person=person, crime_reference=data["crime_reference"],
                                          role=data["role"], **_audit_args(data))
    return _change(request, reference, form_class=CrimeLinkForm, title="Link to a crime", done="Linked to the crime",
                   apply=apply)


@login_required
@require_http_methods(["GET", "POST"])
def remove_crime_link(request: HttpRequest, reference: str, link_id: int) -> HttpResponse:
    """Confirm and remove a link to a crime made by mistake."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.remove_crime_link(actor=request.user, person=person, link_id=link_id, **_audit_args(data))

    def summary(link: PersonLink) -> list[tuple[str, str]]:
        crime = link.crime
        return [("Crime", link.crime_reference),
                ("Classification", crime.classification.name if crime and crime.classification else "Not classified"),
                ("Their part", link.get_role_display())]
    return _change(request, reference, form_class=RemoveForm,
                   title="Are you sure you want to remove this link to a crime?", done="Link to the crime removed",
                   apply=apply, summary=summary, button="Remove the link", warning=True,
                   lookup=lambda person: PersonLink.objects.select_related("crime__classification").get(
                       pk=link_id, person=person))


# --- phones, e-mails and identifiers added by mistake ---------------------------------------------------
# A main number or address held on the person alone (no row of its own) is addressed as "main".

def _main_phone(person: Person) -> ContactPoint:
    if not person.phone_e164 or PersonPhone.objects.filter(person=person, number=person.phone_e164).exists():
        raise PersonPhone.DoesNotExist
    return ContactPoint(person.phone_e164, "", None, True)


def _phone(person: Person, phone_id: int | None) -> ContactPoint:
    if phone_id is None:
        return _main_phone(person)
    phone = PersonPhone.objects.get(pk=phone_id, person=person)
    return ContactPoint(phone.number, phone.get_kind_display(), phone.pk, phone.number == person.phone_e164)


def _phone_summary(phone: ContactPoint) -> list[tuple[str, str]]:
    return [("Phone number", phone.value), ("Kind", phone.kind or "Not recorded"),
            ("Main number", "Yes" if phone.main else "No")]


@login_required
@require_http_methods(["GET", "POST"])
def remove_phone(request: HttpRequest, reference: str, phone_id: int | None = None) -> HttpResponse:
    """Confirm and remove a phone number added by mistake; search stops finding the person by it."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.remove_phone(actor=request.user, person=person, phone_id=phone_id, **_audit_args(data))
    return _change(request, reference, form_class=RemoveForm,
                   title="Are you sure you want to remove this phone number?", done="Phone number removed",
                   apply=apply, lookup=lambda person: _phone(person, phone_id), summary=_phone_summary,
                   button="Remove the phone number", warning=True)


@login_required
@require_http_methods(["GET", "POST"])
def change_phone_kind(request: HttpRequest, reference: str, phone_id: int | None = None) -> HttpResponse:
    """Correct whether a number is a mobile, home, work or other phone."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.change_phone_kind(actor=request.user, person=person, phone_id=phone_id, kind=data["kind"],
                                          **_audit_args(data))

    def initial(person: Person) -> dict[str, Any]:
        row = PersonPhone.objects.filter(pk=phone_id, person=person).values_list("kind", flat=True).first()
        return {"kind": row} if row else {}
    return _change(request, reference, form_class=PhoneKindForm, title="Change the kind of phone",
                   done="Kind of phone changed", apply=apply, initial=initial,
                   lookup=lambda person: _phone(person, phone_id),
                   summary=lambda phone: _phone_summary(phone)[:1])


def _email(person: Person, email_id: int | None) -> ContactPoint:
    if email_id is None:
        main = (person.email or "").lower()
        if not main or PersonEmail.objects.filter(person=person, address=main).exists():
            raise PersonEmail.DoesNotExist
        return ContactPoint(person.email, "", None, True)
    email = PersonEmail.objects.get(pk=email_id, person=person)
    return ContactPoint(email.address, "", email.pk, email.address == (person.email or "").lower())


@login_required
@require_http_methods(["GET", "POST"])
def remove_email(request: HttpRequest, reference: str, email_id: int | None = None) -> HttpResponse:
    """Confirm and remove an e-mail address added by mistake."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.remove_email(actor=request.user, person=person, email_id=email_id, **_audit_args(data))
    return _change(request, reference, form_class=RemoveForm,
                   title="Are you sure you want to remove this e-mail address?", done="E-mail address removed",
                   apply=apply, lookup=lambda person: _email(person, email_id),
                   summary=lambda email: [("E-mail address", email.value),
                                          ("Main address", "Yes" if email.main else "No")],
                   button="Remove the e-mail address", warning=True)


@login_required
@require_http_methods(["GET", "POST"])
def remove_identifier(request: HttpRequest, reference: str, identifier_id: int) -> HttpResponse:
    """Confirm and remove an identifier added by mistake."""
    def apply(person: Person, data: dict[str, Any]) -> object:
        return services.remove_identifier(actor=request.user, person=person, identifier_id=identifier_id,
                                          **_audit_args(data))
    return _change(request, reference, form_class=RemoveForm,
                   title="Are you sure you want to remove this identifier?", done="Identifier removed",
                   apply=apply, lookup=lambda person: PersonIdentifier.objects.get(pk=identifier_id, person=person),
                   summary=lambda identifier: [(identifier.get_kind_display(), identifier.value)],
                   button="Remove the identifier", warning=True)


# --- moving house ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, reference: str) -> HttpResponse:
    """Move the person to a new address: first the postcode, then one of its addresses (or a new one) and the date.

    Both steps post, so the postcode stays out of the address bar and the server's access log.
    """
    person, refused = _gate(request, reference)
    if refused is not None:
        return refused
    context: dict[str, Any] = {"person": person, "title": "Move to a new address"}
    if request.method == "GET":
        return TemplateResponse(request, "people/move.html", {**context, "find_form": FindAddressForm()})
    if request.POST.get("step") == "find":
        find_form = FindAddressForm(request.POST)
        if not find_form.is_valid():
            return TemplateResponse(request, "people/move.html", {**context, "find_form": find_form, "has_errors": True},
                                    status=400)
        postcode = find_form.cleaned_data["postcode"]
        addresses = selectors.addresses_at_postcode(postcode)
        form = MoveForm(initial={"form_token": uuid.uuid4().hex, "postcode": postcode,
                                 "address": "" if addresses else services.NEW_ADDRESS}, addresses=addresses)
        return TemplateResponse(request, "people/move.html", {**context, "form": form, "postcode": postcode,
                                                              "addresses": addresses})
    if services.already_done(request.POST.get("form_token")):
        messages.success(request, "Address changed")
        return redirect(reverse("people:person", args=[person.reference]))
    try:
        postcode = services.checked_postcode(request.POST.get("postcode", ""))
    except ValidationError as exc:
        find_form = FindAddressForm({"postcode": request.POST.get("postcode", "")})
        find_form.is_valid()
        if not find_form.errors:
            find_form.add_error("postcode", exc.message_dict["postcode"][0])
        return TemplateResponse(request, "people/move.html", {**context, "find_form": find_form, "has_errors": True},
                                status=400)
    addresses = selectors.addresses_at_postcode(postcode)
    form = MoveForm(request.POST, addresses=addresses)
    if person.merged_into_id:
        form.add_error(None, "This record has been merged into another; make the change there.")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            services.record_move(
                actor=request.user, person=person, postcode=postcode, address_id=data["address"],
                number_or_name=data["number_or_name"], street=data["street"], town=data["town"],
                from_date=data["from_date"], **_audit_args(data))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors[0])
        except IntegrityError:
            pass  # the same form sent twice at once: the other submission made the move
        if form.is_valid():
            messages.success(request, "Address changed")
            return redirect(reverse("people:person", args=[person.reference]))
    return TemplateResponse(request, "people/move.html", {**context, "form": form, "postcode": postcode,
                                                          "addresses": addresses}, status=400)
