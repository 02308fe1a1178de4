"""Business actions of public reporting: file a report, save and return, track, business accounts, series.

Every action is transactional and writes its audit entries in the same transaction
(DPA 2018 Part 3 s.62). Reports become ``contacts.Contact`` records through
``contacts.services.take_contact`` so that the triage queue assesses them like calls.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.models import Action
from audit.services import erase_fields, record_entry
from contacts.models import Channel, IncidentType, PersonRole
from contacts.services import take_contact
from people.models import Person
from people.services import normalise_phone, record_person, search_columns

from . import messages, series, vrm
from .models import (
    BusinessAccount,
    BusinessSite,
    BusinessSubmission,
    BusinessUser,
    OnlineReport,
    ReportDraft,
    ReportKind,
    SeriesLink,
    TrackingCode,
)

# What each kind of report is recorded as (contacts' seeded incident types).
INCIDENT_TYPE_FOR = {
    ReportKind.THEFT: "other-theft",
    ReportKind.CRIMINAL_DAMAGE: "criminal-damage",
    ReportKind.ONLINE_CRIME: "stalking-harassment",
    ReportKind.ROAD_COLLISION: "rtc-damage-only",
    ReportKind.SHOPLIFTING: "shoplifting",
    ReportKind.FUEL_DRIVE_OFF: "other-theft",
}
ASB_TYPE_FOR = {"personal": "asb-personal", "nuisance": "asb-nuisance", "environmental": "asb-environmental"}

CODE_DIGITS = 6
INVITE_DAYS = 7
CODE_REFUSED = "The code is not right, or it has expired. Check the code in your message, or ask for a new one."
CODE_LOCKED = "You have entered a wrong code too many times. Ask for a new code."
SIGN_IN_REFUSED = "Enter the e-mail address and password of a business account that can report to us."


@dataclass(frozen=True)
class PublicActor:
    """Who the audit log names when someone who is not police staff acts: never a staff user (no pk)."""

    username: str
    pk: None = None
    is_authenticated: bool = False


ONLINE_REPORTER = PublicActor("public:online-report")
TRACKER = PublicActor("public:track-my-report")


def business_actor(user: BusinessUser) -> PublicActor:
    """The audit name of a business user: their account number, not their e-mail (which is personal data)."""
    return PublicActor(f"business-user:{user.pk}")


def token_hash(token: str) -> str:
    """A keyed hash of a link token or code: what is stored, so a copy of the database opens nothing."""
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


def new_submission_key() -> str:
    """A fresh idempotency key for a report journey (32 hex characters)."""
    return uuid.uuid4().hex


# --- the reporter in the person index ------------------------------------------------------------

def _reporter(*, actor: Any, given_name: str, family_name: str, email: str, phone: str) -> Person:
    """The reporter's person record: the one already indexed with the same name and e-mail or phone, or a new one.

    Matched only on an exact name with the same e-mail or phone: a looser match would
    let anyone attach a report to someone else's record by typing their name. A match is
    logged as a combination (the report's data joins an existing record).
    """
    phone_e164 = normalise_phone(phone, field="phone") if phone else ""
    keys = search_columns(given_name.strip(), family_name.strip())
    candidates = Person.objects.filter(given_norm=keys["given_norm"], family_norm=keys["family_norm"])
    match = None
    if email:
        match = candidates.filter(email__iexact=email.strip()).order_by("pk").first()
    if match is None and phone_e164:
        match = candidates.filter(phone_e164=phone_e164).order_by("pk").first()
    if match is not None:
        record_entry(actor=actor, action=Action.COMBINATION, subject_type="people.person", subject_id=str(match.pk),
                     person_id=str(match.pk), reason="Online report matched to the reporter's existing record",
                     detail={"matched_on": "email" if email and match.email.lower() == email.strip().lower() else "phone"})
        return match
    return record_person(actor=actor, given_name=given_name, family_name=family_name, email=email.strip(),
                         phone_e164=phone_e164, reason="Reporter of an online report")


# --- filing a report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Incident:
    """One incident as the reporter described it, ready to become a contact."""

    kind: str
    occurred_at: datetime
    location: str
    description: str
    answers: dict[str, str]  # question -> answer as shown on the check-answers page, kept for staff
    offender_description: str = ""
    vehicle_registration: str = ""
    asb_category: str = ""
    cctv_held: bool = False


def _incident_type(incident: Incident) -> IncidentType:
    code = ASB_TYPE_FOR.get(incident.asb_category) if incident.kind == ReportKind.ASB else INCIDENT_TYPE_FOR.get(incident.kind)
    if not code:
        raise ValidationError({"kind": "Choose what you are reporting."})
    return IncidentType.objects.get(code=code)


def _summary(incident: Incident, channel_label: str) -> str:
    lines = [f"{channel_label}: {ReportKind(incident.kind).label}.",
             f"When: {timezone.localtime(incident.occurred_at):%d %B %Y %H:%M}."]
    lines += [f"{question}: {answer}" for question, answer in incident.answers.items() if answer]
    return "\n".join(lines)


def _file(*, incident: Incident, actor: Any, channel: str, caller: Person | None, key: str, victim: bool,
          email: str, phone_e164: str, submission: BusinessSubmission | None = None,
          site: BusinessSite | None = None) -> OnlineReport:
    if timezone.is_naive(incident.occurred_at):
        raise ValidationError({"occurred_at": "The time it happened must include a time zone."})
    if incident.occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": "The time it happened must be in the past."})
    people = [(caller, PersonRole.VICTIM)] if caller is not None and victim else []
    contact = take_contact(
        actor=actor, channel=channel, incident_type=_incident_type(incident), received_at=timezone.now(),
        caller=caller, location_text=(incident.location or (f"{site.name}, {site.address} {site.postcode}" if site else ""))[:200], summary=_summary(incident, Channel(channel).label),
        people=people, form_token=key,
    )
    report = OnlineReport.objects.create(
        contact=contact, kind=incident.kind, submission_key=key, reporter=caller, email=email, phone_e164=phone_e164,
        answers={"occurred_at": incident.occurred_at.isoformat(), "location": incident.location,
                 "description": incident.description, "questions": incident.answers},
        submission=submission, site=site, offender_description=incident.offender_description.strip(),
        vehicle_registration=incident.vehicle_registration,
    )
    return report


def submit_online_report(
    *, submission_key: str, incident: Incident, given_name: str, family_name: str, email: str = "", phone: str = "",
) -> OnlineReport:
    """File a member of the public's report as an online contact for triage; a repeated submit returns the first.

    Issue 7: the report lands in the triage queue as a contact on channel ``online``;
    a crime report opens its crime record (NCRS clock from receipt); the reporter goes
    into the person index (matched when the same person reported before); the
    acknowledgement with the reference is queued in the same transaction.
    """
    key = (submission_key or "").strip()
    if not key or len(key) > 40:
        raise ValidationError({"submission_key": "The report's key must be 1 to 40 characters."})
    if not (email or phone):
        raise ValidationError({"email": "Enter an e-mail address or a mobile phone number so we can contact you"})
    existing = OnlineReport.objects.filter(submission_key=key).select_related("contact").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            person = _reporter(actor=ONLINE_REPORTER, given_name=given_name, family_name=family_name,
                               email=email, phone=phone)
            report = _file(incident=incident, actor=ONLINE_REPORTER, channel=Channel.ONLINE, caller=person, key=key,
                           victim=incident.kind != ReportKind.ASB, email=person.email if email else "",
                           phone_e164=person.phone_e164 if phone else "")
            _acknowledge(report)
            return report
    except IntegrityError:
        # A concurrent submit of the same journey won; everything this one wrote rolled back.
        existing = OnlineReport.objects.filter(submission_key=key).select_related("contact").first()
        if existing is None:
            raise
        return existing


def _acknowledge(report: OnlineReport) -> None:
    reference = report.contact.reference
    values = {"reference": reference, "force_name": settings.FORCE_NAME,
              "track_url": settings.PUBLIC_BASE_URL + reverse("public:track")}
    channel, to = ("email", report.email) if report.email else ("sms", report.phone_e164)
    messages.send(channel=channel, to=to, template="report_received", personalisation=values,
                  reference=f"report-received-{reference}", person_id=report.reporter_id, actor=ONLINE_REPORTER)


# --- save and return -----------------------------------------------------------------------------

@transaction.atomic
def save_draft(*, email: str, answers: dict[str, Any]) -> tuple[ReportDraft, str]:
    """Keep a report part-way and e-mail a link to finish it; returns the draft and the link's token.

    Nothing lost: the answers are kept exactly as typed (even ones not yet valid). The
    link's token is stored only as a hash; the draft expires after PUBLIC_DRAFT_DAYS.
    """
    email = (email or "").strip()
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an e-mail address in the correct format, like name@example.com"}) from None
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.PUBLIC_DRAFT_DAYS)
    draft = ReportDraft.objects.create(token_hash=token_hash(token), email=email, answers=answers, expires_at=expires)
    messages.send(
        channel="email", to=email, template="save_and_return", reference=f"save-and-return-{draft.pk}",
        personalisation={"force_name": settings.FORCE_NAME, "expires_on": f"{timezone.localtime(expires):%d %B %Y}"},
        secret={"resume_url": settings.PUBLIC_BASE_URL + reverse("public:resume", args=[token])},
        actor=ONLINE_REPORTER,
    )
    return draft, token


@transaction.atomic
def resume_draft(*, token: str) -> ReportDraft | None:
    """The saved draft a link's token opens, or None when it is unknown or expired."""
    draft = ReportDraft.objects.select_for_update().filter(token_hash=token_hash(token or "")).first()
    if draft is None or draft.expires_at <= timezone.now():
        return None
    draft.resumed_at = timezone.now()
    draft.save(update_fields=["resumed_at"])
    return draft


# --- track my report -----------------------------------------------------------------------------

def _matches(report: OnlineReport, contact_detail: str) -> str:
    """Which channel the reporter's typed e-mail or phone matches on the report: "email", "sms" or ""."""
    typed = (contact_detail or "").strip()
    if report.email and typed.lower() == report.email.lower():
        return "email"
    if report.phone_e164:
        try:
            if normalise_phone(typed, field="contact") == report.phone_e164:
                return "sms"
        except ValidationError:
            return ""
    return ""


@transaction.atomic
def send_tracking_code(*, reference: str, contact_detail: str) -> bool:
    """Send a one-time code to the e-mail or mobile given in the report, if the reference and detail match.

    The answer to the person asking never says whether a report exists (the page is the
    same either way); only a match sends a code. Earlier unused codes stop working.
    """
    report = OnlineReport.objects.filter(contact__reference=(reference or "").strip().upper()).first()
    channel = _matches(report, contact_detail) if report is not None else ""
    if not channel:
        return False
    now = timezone.now()
    TrackingCode.objects.filter(report=report, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    minutes = settings.PUBLIC_TRACK_CODE_MINUTES
    issued = TrackingCode.objects.create(report=report, code_hash=token_hash(f"{report.pk}:{code}"), channel=channel,
                                         expires_at=now + timedelta(minutes=minutes))
    messages.send(
        channel=channel, to=report.email if channel == "email" else report.phone_e164, template="track_code",
        personalisation={"reference": report.contact.reference, "minutes": minutes,
                         "force_name": settings.FORCE_NAME},
        secret={"code": code},
        reference=f"track-code-{issued.pk}", person_id=report.reporter_id, actor=TRACKER,
    )
    return True


@transaction.atomic
def _check_code(reference: str, code: str) -> tuple[OnlineReport | None, str]:
    now = timezone.now()
    issued = (
        TrackingCode.objects.select_for_update()
        .filter(report__contact__reference=(reference or "").strip().upper(), used_at__isnull=True, expires_at__gt=now)
        .select_related("report__contact").order_by("-created_at", "-pk").first()
    )
    if issued is None:
        return None, CODE_REFUSED
    limit = settings.PUBLIC_TRACK_CODE_ATTEMPTS
    if issued.attempts >= limit:
        return None, CODE_LOCKED
    typed = "".join((code or "").split())
    if not hmac.compare_digest(issued.code_hash, token_hash(f"{issued.report_id}:{typed}")):
        issued.attempts += 1
        issued.save(update_fields=["attempts"])
        return None, CODE_LOCKED if issued.attempts >= limit else CODE_REFUSED
    issued.used_at = now
    issued.save(update_fields=["used_at"])
    return issued.report, ""


def verify_tracking_code(*, reference: str, code: str) -> OnlineReport:
    """The report a correct, unexpired tracking code opens; a wrong code counts an attempt and is refused.

    A code works once, for PUBLIC_TRACK_CODE_MINUTES, and after PUBLIC_TRACK_CODE_ATTEMPTS
    wrong tries it stops working. The attempt is committed before the refusal is raised.
    """
    report, problem = _check_code(reference, code)
    if report is None:
        raise ValidationError({"code": problem})
    return report


# --- ask for a review of the decision (Victims' Right to Review) ---------------------------------

REVIEW_REASONS_MAX = 2000
REVIEW_NOT_OPEN_TO_YOU = "You cannot ask for a review of this decision online; the page says why and what to do instead."


def new_review_key() -> str:
    """The key one "Ask for a review" form carries, so a repeated submit records one request (fits the 40-character token)."""
    return f"online-{secrets.token_hex(16)}"


def ask_for_review(*, report: OnlineReport, reasons: str, submission_key: str):
    """Record the victim's own request for a review of the decision on their crime; a repeated submit returns the first.

    The request goes through ``cases.services.record_review_request``, the service staff use, so
    it lands in the supervisors' queue in the same way (channel "online", asked today, audited
    as the victim's request by Track my report), and the victim is sent a receipt in the same
    transaction. Only when the page offered the form: the crime is closed with a decision the
    victim may have reviewed, in time, and they are its victim.
    """
    from cases.models import ReviewRequest
    from cases.services import record_review_request

    from .selectors import _crime_for, review_option

    key = (submission_key or "").strip()
    if not key or len(key) > 40:
        raise ValidationError({"submission_key": "The form's key must be 1 to 40 characters."})
    crime = _crime_for(report)
    if crime is not None and (done := ReviewRequest.objects.filter(form_token=key, crime=crime).first()) is not None:
        return done
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": "Enter why you disagree with the decision"})
    if len(reasons) > REVIEW_REASONS_MAX:
        raise ValidationError({"reasons": f"Why you disagree must be {REVIEW_REASONS_MAX:,} characters or fewer; "
                                          f"you have entered {len(reasons):,}"})
    option = review_option(report=report, crime=crime)
    if option is None or not option.can_ask:
        raise ValidationError({"reasons": REVIEW_NOT_OPEN_TO_YOU})
    try:
        return record_review_request(crime=crime, actor=TRACKER, requested_on=timezone.localdate(),
                                     channel="online", victim_reasons=reasons, form_token=key, send_receipt=True)
    except (ValidationError, IntegrityError):
        # Two submits of the same form at once: the second waited for the first's lock and found it.
        done = ReviewRequest.objects.filter(form_token=key, crime=crime).first()
        if done is None:
            raise
        return done


# --- business accounts ---------------------------------------------------------------------------

def _audit_business(*, actor: Any, record: Any, action: str, **detail: Any) -> None:
    record_entry(actor=actor, action=action, subject_type=record._meta.label_lower, subject_id=str(record.pk),
                 detail=detail)


@transaction.atomic
def register_business(*, actor: Any, name: str, site_name: str, site_address: str, site_postcode: str = "") -> BusinessAccount:
    """Register a business that will report online, with its first site (staff with manage_business_accounts)."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter the business's name"
    elif BusinessAccount.objects.filter(name__iexact=name.strip()).exists():
        errors["name"] = "A business with this name is already registered"
    if not (site_name or "").strip():
        errors["site_name"] = "Enter the name of the site"
    if not (site_address or "").strip():
        errors["site_address"] = "Enter the site's address"
    if errors:
        raise ValidationError(errors)
    account = BusinessAccount.objects.create(name=name.strip(), registered_by=actor if getattr(actor, "pk", None) else None)
    add_site(actor=actor, account=account, name=site_name, address=site_address, postcode=site_postcode)
    _audit_business(actor=actor, record=account, action=Action.COLLECTION, event="registered")
    return account


@transaction.atomic
def add_site(*, actor: Any, account: BusinessAccount, name: str, address: str, postcode: str = "") -> BusinessSite:
    """Add a site (a shop, a filling station) to a business account."""
    name, address = (name or "").strip(), (address or "").strip()
    errors = {}
    if not name:
        errors["site_name"] = "Enter the name of the site"
    elif account.sites.filter(name__iexact=name).exists():
        errors["site_name"] = "This business already has a site with this name"
    if not address:
        errors["site_address"] = "Enter the site's address"
    if errors:
        raise ValidationError(errors)
    return BusinessSite.objects.create(account=account, name=name, address=address, postcode=(postcode or "").strip().upper())


@transaction.atomic
def invite_business_user(*, actor: Any, account: BusinessAccount, full_name: str, email: str) -> tuple[BusinessUser, str]:
    """Add a member of a business's staff and e-mail them a link to set their password; returns the link's token.

    Their name and e-mail are personal data collected by the force: logged as a collection.
    """
    from django.core.validators import validate_email

    full_name, email = (full_name or "").strip(), (email or "").strip().lower()
    errors = {}
    if not full_name:
        errors["full_name"] = "Enter the person's full name"
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.com"
    if not errors.get("email") and BusinessUser.objects.filter(email=email).exists():
        errors["email"] = "Someone is already registered with this e-mail address"
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=INVITE_DAYS)
    user = BusinessUser.objects.create(account=account, full_name=full_name, email=email,
                                       invite_hash=token_hash(token), invite_expires_at=expires)
    _audit_business(actor=actor, record=user, action=Action.COLLECTION, event="invited", account=account.pk)
    messages.send(
        channel="email", to=email, template="business_invite", reference=f"business-invite-{user.pk}-{token[:8]}",
        personalisation={"force_name": settings.FORCE_NAME, "business": account.name,
                         "expires_on": f"{timezone.localtime(expires):%d %B %Y}"},
        secret={"invite_url": settings.PUBLIC_BASE_URL + reverse("public:business-set-password", args=[token])},
        actor=actor,
    )
    return user, token


def invited_user(token: str) -> BusinessUser | None:
    """The business user a set-password link is for, while the link is unused and unexpired."""
    user = BusinessUser.objects.filter(invite_hash=token_hash(token or ""), active=True).first()
    if user is None or user.invite_expires_at is None or user.invite_expires_at <= timezone.now():
        return None
    return user


@transaction.atomic
def set_business_password(*, token: str, password: str) -> BusinessUser:
    """Set a business user's password from their invitation link; the link then stops working."""
    from django.contrib.auth.password_validation import validate_password

    user = invited_user(token)
    if user is None:
        raise ValidationError({"password": "This link has expired or has been used. Ask the police to send a new one."})
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ValidationError({"password": " ".join(exc.messages)}) from None
    user.password = make_password(password)
    user.invite_hash, user.invite_expires_at = "", None
    user.save(update_fields=["password", "invite_hash", "invite_expires_at"])
    _audit_business(actor=business_actor(user), record=user, action=Action.ALTERATION, event="password_set")
    return user


def authenticate_business_user(*, email: str, password: str) -> BusinessUser:
    """The active business user with this e-mail and password; the same refusal whatever was wrong."""
    user = BusinessUser.objects.filter(email=(email or "").strip().lower(), active=True,
                                       account__active=True).select_related("account").first()
    # Hash anyway when there is no such user, so the time taken does not tell who is registered.
    valid = check_password(password or "", user.password if user and user.password else make_password(None))
    if user is None or not user.password or not valid:
        raise ValidationError({"email": SIGN_IN_REFUSED})
    BusinessUser.objects.filter(pk=user.pk).update(last_signed_in_at=timezone.now())
    return user


def check_registration(raw: str, *, field: str = "registration") -> str:
    """A vehicle registration checked against the UK formats, as the plate writes it; refused naming the field."""
    parsed = vrm.parse(raw)
    if parsed is None:
        raise ValidationError({field: vrm.INVALID})
    return parsed.display


@transaction.atomic
def submit_business_report(*, user: BusinessUser, submission_key: str, incidents: list[tuple[Incident, BusinessSite]]) -> BusinessSubmission:
    """File several incidents for a business in one go, each a contact on channel ``business``; once per key.

    Each incident is its own contact (and, being a crime, its own crime record). New
    reports are compared with the business reports of the last 90 days: the same
    vehicle, or offender descriptions alike, are flagged to investigators as a series.
    """
    key = (submission_key or "").strip()
    if not key or len(key) > 40:
        raise ValidationError({"submission_key": "The report's key must be 1 to 40 characters."})
    existing = BusinessSubmission.objects.filter(submission_key=key).first()
    if existing is not None:
        return existing
    if not incidents:
        raise ValidationError({"incidents": "Add at least one incident to report"})
    for _, site in incidents:
        if site.account_id != user.account_id:
            raise ValidationError({"site": "Choose one of your business's sites"})
    actor = business_actor(user)
    try:
        with transaction.atomic():
            submission = BusinessSubmission.objects.create(account=user.account, submitted_by=user, submission_key=key)
            person = _reporter(actor=actor, given_name=user.full_name.split(" ")[0],
                               family_name=user.full_name.split(" ", 1)[-1] if " " in user.full_name else user.full_name,
                               email=user.email, phone="")
            reports = []
            for number, (incident, site) in enumerate(incidents, start=1):
                reports.append(_file(
                    incident=incident, actor=actor, channel=Channel.BUSINESS, caller=person, key=f"{key[:36]}-{number:03d}",
                    victim=False, email=user.email, phone_e164="", submission=submission, site=site,
                ))
            for report, (incident, _) in zip(reports, incidents, strict=True):
                flag_series(report=report)
                if incident.cctv_held:
                    _ask_for_cctv(report=report, user=user)
    except IntegrityError:
        existing = BusinessSubmission.objects.filter(submission_key=key).first()
        if existing is None:
            raise
        return existing
    return submission


def _ask_for_cctv(*, report: OnlineReport, user: BusinessUser) -> None:
    """E-mail the business a single-use link to upload the incident's CCTV through the evidence upload.

    The evidence app checks, limits and hashes what arrives, and keeps its chain of custody;
    the footage becomes an exhibit of the contact (and of the crime recorded from it).
    """
    from evidence.models import UploadLink
    from evidence.services import issue_upload_link

    # Sent by the system on the business's answer, not by a member of staff: no staff actor.
    issue_upload_link(
        actor=None, recipient_name=user.account.name, channel=UploadLink.Channel.EMAIL, recipient_email=user.email,
        contact=report.contact, purpose=UploadLink.Purpose.CCTV, base_url=settings.PUBLIC_BASE_URL,
        form_token=f"cctv-{report.contact.reference}",
    )


SERIES_WINDOW_DAYS = 90


def flag_series(*, report: OnlineReport) -> list[SeriesLink]:
    """Flag the earlier business reports this one may share an offender with (same vehicle, or alike descriptions)."""
    since = report.submitted_at - timedelta(days=SERIES_WINDOW_DAYS)
    earlier = (
        OnlineReport.objects.filter(submission__isnull=False, submitted_at__gte=since, pk__lt=report.pk)
        .exclude(offender_description="", vehicle_registration="")
        .values_list("pk", "offender_description", "vehicle_registration")
    )
    found = series.links_for(
        series.Incident(report.pk, report.offender_description, vrm.fold(report.vehicle_registration)),
        [series.Incident(pk, text, vrm.fold(reg)) for pk, text, reg in earlier],
        threshold=float(settings.PUBLIC_SERIES_THRESHOLD),
    )
    links = []
    for link in found:
        made, _ = SeriesLink.objects.get_or_create(
            earlier_id=link.first, later_id=link.second, basis=link.basis, defaults={"score": link.score},
        )
        links.append(made)
    return links


def local_moment(day: date, time_text: str) -> datetime:
    """A date and an optional "HH:MM" as an aware datetime in the force's time zone (noon, or now, when no time)."""
    hour, minute = (int(p) for p in time_text.split(":")) if time_text else (12, 0)
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())
    # "Today, time not known" must not land in the future: noon is only a guess.
    return min(moment, timezone.now()) if not time_text else moment


# --- retention ------------------------------------------------------------------------------------

ERASED_REPORT_FIELDS = {"answers": {}, "email": "", "phone_e164": "", "offender_description": "",
                        "vehicle_registration": "", "reporter_id": None}


@transaction.atomic
def erase_online_report(*, actor: Any, report: OnlineReport, reason: str,
                        detail: dict[str, Any] | None = None) -> dict[str, int]:
    """Erase what a reporter told us in an online report, at the end of its retention; keep a bare trace.

    APP "Review, retention and disposal" / DPA 2018 s.62: the answers, the reporter's e-mail and
    mobile, the link to the reporter's person record, the offender and vehicle descriptions, the
    tracking codes and the series links drawn from those descriptions are removed. The row stays
    with its contact, kind, business site and times, so the contact and the demand figures keep
    their shape. One ``erasure`` entry holds field names and counts, never values; a second call
    changes nothing and logs nothing.
    """
    locked = OnlineReport.objects.select_for_update().get(pk=report.pk)
    removed = {
        "tracking_codes": TrackingCode.objects.filter(report=locked).delete()[0],
        "series_links": SeriesLink.objects.filter(Q(earlier=locked) | Q(later=locked)).delete()[0],
    }
    return erase_fields(
        locked, blank=ERASED_REPORT_FIELDS, removed=removed, actor=actor, reason=reason,
        subject_type="public.onlinereport", person_id=locked.reporter_id,
        detail={**(detail or {}), "contact": locked.contact.reference},
    )
