"""Public pages: report online (one question a page), save and return, track my report, business reports.

Thin: each view parses the form, calls a service, and renders. The journey's answers
are kept in the session exactly as typed, so nothing is lost on an error, on Back, or
when the reporter saves and returns later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from firstcontact.submissions import submit_form

from . import forms, selectors, services
from .models import BusinessSite, BusinessUser, OnlineReport, ReportKind

SESSION_REPORT = "public_report"
SESSION_DONE = "public_report_done"
SESSION_TRACK = "public_track_reference"
SESSION_TRACKED = "public_tracked_report"
SESSION_REVIEW_KEY = "public_review_key"
SESSION_REVIEW_SENT = "public_review_sent"
SESSION_REVIEW_RECEIPT = "public_review_receipt"
SESSION_REVIEW_LAST = "public_review_last_key"
SESSION_BUSINESS_USER = "public_business_user"
SESSION_BUSINESS_DRAFT = "public_business_incidents"
SESSION_BUSINESS_DONE = "public_business_done"
POSTED_SKIP = {"csrfmiddlewaretoken", "save_for_later", "continue", forms.HONEYPOT}


def _submit_rate(group, request) -> str:
    return f"{settings.PUBLIC_REPORTS_PER_MINUTE}/m"


def _track_rate(group, request) -> str:
    return f"{settings.PUBLIC_TRACK_REQUESTS_PER_HOUR}/h"


def _too_many(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "public/too_many.html", status=429)


def _bot(request: HttpRequest) -> bool:
    """The hidden field no person sees was filled in: a form-filling robot, not a reporter."""
    return bool((request.POST.get(forms.HONEYPOT) or "").strip())


def _refuse_bot(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "public/refused.html", status=400)


# --- report online -------------------------------------------------------------------------------

def _journey(request: HttpRequest) -> dict:
    journey = request.session.get(SESSION_REPORT)
    if not journey:
        journey = {"key": services.new_submission_key(), "steps": {}}
        request.session[SESSION_REPORT] = journey
    return journey


def _kind(journey: dict) -> str:
    return (journey["steps"].get("what") or {}).get("kind", "")


def _form(step: str, journey: dict, data=None) -> forms.QuestionForm:
    form_class = forms.FORMS[step]
    stored = journey["steps"].get(step)
    if data is not None:
        return form_class(data=data)
    return form_class(data=stored) if stored is not None else form_class()


def _first_unanswered(journey: dict) -> str | None:
    for step in forms.steps_for(_kind(journey)):
        stored = journey["steps"].get(step)
        if stored is None or not forms.FORMS[step](data=stored).is_valid():
            return step
    return None


@require_GET
def start(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "public/start.html", {"kinds": [k.label for k in (ReportKind.THEFT,
                            ReportKind.CRIMINAL_DAMAGE, ReportKind.ONLINE_CRIME, ReportKind.ROAD_COLLISION,
                            ReportKind.ASB)]})


@require_GET
def fraud(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "public/fraud.html")


@require_GET
def call_us(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "public/call_us.html")


@never_cache
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, step: str) -> HttpResponse:
    if step not in forms.FORMS:
        raise Http404("No such question")
    journey = _journey(request)
    if step not in forms.steps_for(_kind(journey)) and step != "what":
        return redirect("public:question", step="what")
    steps = forms.steps_for(_kind(journey))
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        if _bot(request):
            return _refuse_bot(request)
        typed = {k: v for k, v in request.POST.items() if k not in POSTED_SKIP}
        # Kept even when not valid: nothing the reporter typed is lost, whatever they do next.
        journey["steps"][step] = typed
        request.session.modified = True
        if "save_for_later" in request.POST:
            return redirect("public:save")
        form = _form(step, journey, data=typed)
        if form.is_valid():
            if step == "what" and form.cleaned_data["kind"] == forms.FRAUD:
                return redirect("public:fraud")
            if step == "injured" and form.cleaned_data["injured"] == "yes":
                return redirect("public:call-us")
            steps = forms.steps_for(_kind(journey))
            following = steps[steps.index(step) + 1:] if step in steps else []
            if changing or not following:
                nxt = _first_unanswered(journey)
                return redirect("public:question", step=nxt) if nxt else redirect("public:check")
            return redirect("public:question", step=following[0])
    else:
        form = _form(step, journey)
        if journey["steps"].get(step) is None:
            form = forms.FORMS[step]()
        else:
            # Show the errors of an answer kept from an earlier, invalid attempt.
            form.is_valid()
    position = steps.index(step) if step in steps else 0
    back = reverse("public:check") if changing else (
        reverse("public:question", args=[steps[position - 1]]) if position else reverse("public:start"))
    single = len(form.fields) == 1
    return TemplateResponse(request, "public/question.html", {
        "form": form, "step": step, "heading": form.heading, "hint": form.hint, "single": single,
        "field": next(iter(form)) if single else None, "back": back, "changing": changing,
        "honeypot": forms.HONEYPOT, "has_errors": bool(form.errors),
        "number": position + 1, "total": len(steps),
    }, status=400 if form.errors and request.method == "POST" else 200)


def _answers_for_check(journey: dict) -> list[dict]:
    rows = []
    for step in forms.steps_for(_kind(journey)):
        form = forms.FORMS[step](data=journey["steps"].get(step) or {})
        form.is_valid()
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name, "")
            if hasattr(field, "choices") and value:
                value = dict(field.choices).get(value, value)
            if hasattr(value, "strftime"):
                value = value.strftime("%-d %B %Y")
            rows.append({"question": str(field.label), "answer": str(value or ""), "step": step, "field": name})
    return rows


def _incident(journey: dict) -> tuple[services.Incident, dict]:
    cleaned: dict = {}
    for step in forms.steps_for(_kind(journey)):
        form = forms.FORMS[step](data=journey["steps"][step])
        if not form.is_valid():
            raise ValidationError({step: "Answer every question"})
        cleaned.update(form.cleaned_data)
    kind = cleaned["kind"]
    location = cleaned["location"]
    if kind == ReportKind.ONLINE_CRIME:
        location = f"Online: {location}"
    elif cleaned.get("postcode"):
        location = f"{location}, {cleaned['postcode']}"
    shown = {row["question"]: row["answer"] for row in _answers_for_check(journey)
             if row["field"] not in ("kind", "given_name", "family_name", "email", "phone", "date", "time")}
    incident = services.Incident(
        kind=kind, occurred_at=services.local_moment(cleaned["date"], cleaned.get("time", "")), location=location,
        description=cleaned["description"], answers=shown, offender_description=cleaned.get("suspect", ""),
        vehicle_registration=(cleaned.get("registration") or "").replace(" ", ""),
        asb_category=cleaned.get("asb_category", ""),
    )
    return incident, cleaned


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=False)
def check(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request)
        if _bot(request):
            return _refuse_bot(request)
        key = (request.POST.get("submission_key") or "").strip()
        done = OnlineReport.objects.filter(submission_key=key).select_related("contact").first() if key else None
        if done is None:
            journey = request.session.get(SESSION_REPORT)
            if not journey or journey.get("key") != key:
                return redirect("public:start")
            missing = _first_unanswered(journey)
            if missing:
                return redirect("public:question", step=missing)
            incident, cleaned = _incident(journey)
            done = services.submit_online_report(
                submission_key=key, incident=incident, given_name=cleaned["given_name"],
                family_name=cleaned["family_name"], email=cleaned.get("email", ""), phone=cleaned.get("phone", ""),
            )
        request.session.pop(SESSION_REPORT, None)
        request.session[SESSION_DONE] = done.contact.reference
        return redirect("public:done")
    journey = request.session.get(SESSION_REPORT)
    if not journey:
        return redirect("public:start")
    missing = _first_unanswered(journey)
    if missing:
        return redirect("public:question", step=missing)
    return TemplateResponse(request, "public/check.html", {
        "rows": _answers_for_check(journey), "key": journey["key"], "honeypot": forms.HONEYPOT,
        "back": reverse("public:question", args=[forms.steps_for(_kind(journey))[-1]]),
    })


@never_cache
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(SESSION_DONE)
    if not reference:
        return redirect("public:start")
    return TemplateResponse(request, "public/done.html", {"reference": reference})


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=False)
def save(request: HttpRequest) -> HttpResponse:
    journey = request.session.get(SESSION_REPORT)
    if not journey:
        return redirect("public:start")
    typed_email = (journey["steps"].get("contact") or {}).get("email", "")
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request)
        form = forms.SaveForm(data=request.POST)
        if form.is_valid():
            services.save_draft(email=form.cleaned_data["email"], answers=journey)
            request.session.pop(SESSION_REPORT, None)
            return TemplateResponse(request, "public/saved.html", {"email": form.cleaned_data["email"]})
    else:
        form = forms.SaveForm(initial={"email": typed_email})
    return TemplateResponse(request, "public/save.html", {"form": form, "has_errors": bool(form.errors)},
                            status=400 if form.errors else 200)


@never_cache
@require_GET
def resume(request: HttpRequest, token: str) -> HttpResponse:
    draft = services.resume_draft(token=token)
    if draft is None:
        return TemplateResponse(request, "public/link_expired.html", status=404)
    journey = dict(draft.answers)
    if "key" not in journey or "steps" not in journey:
        return TemplateResponse(request, "public/link_expired.html", status=404)
    request.session[SESSION_REPORT] = journey
    missing = _first_unanswered(journey)
    return redirect("public:question", step=missing) if missing else redirect("public:check")


# --- track my report -----------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_track_rate, method="POST", block=False)
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request)
        form = forms.TrackForm(data=request.POST)
        if form.is_valid():
            services.send_tracking_code(reference=form.cleaned_data["reference"],
                                        contact_detail=form.cleaned_data["contact_detail"])
            request.session[SESSION_TRACK] = form.cleaned_data["reference"]
            return redirect("public:track-code")
    else:
        form = forms.TrackForm()
    return TemplateResponse(request, "public/track.html", {"form": form, "has_errors": bool(form.errors)},
                            status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_track_rate, method="POST", block=False)
def track_code(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(SESSION_TRACK)
    if not reference:
        return redirect("public:track")
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request)
        form = forms.CodeForm(data=request.POST)
        if form.is_valid():
            try:
                report = services.verify_tracking_code(reference=reference, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error("code", exc.message_dict["code"][0])
            else:
                request.session.cycle_key()
                request.session[SESSION_TRACKED] = report.pk
                return redirect("public:track-status")
    else:
        form = forms.CodeForm()
    return TemplateResponse(request, "public/track_code.html", {
        "form": form, "reference": reference, "has_errors": bool(form.errors),
    }, status=400 if form.errors else 200)


def _tracked_report(request: HttpRequest) -> OnlineReport | None:
    return OnlineReport.objects.filter(pk=request.session.get(SESSION_TRACKED) or 0).select_related("contact").first()


def _status_page(request: HttpRequest, report: OnlineReport, *, review_form: forms.AskForReviewForm | None = None,
                 status: int = 200) -> TemplateResponse:
    progress = selectors.report_progress(report=report, actor=services.TRACKER)
    if progress.review is not None and progress.review.can_ask and not request.session.get(SESSION_REVIEW_KEY):
        request.session[SESSION_REVIEW_KEY] = services.new_review_key()
    return TemplateResponse(request, "public/track_status.html", {
        "progress": progress, "review_form": review_form or forms.AskForReviewForm(),
        "review_sent": request.session.pop(SESSION_REVIEW_SENT, False), "review_max": services.REVIEW_REASONS_MAX,
        "review_receipt": request.session.pop(SESSION_REVIEW_RECEIPT, ""),
        "has_errors": bool(review_form is not None and review_form.errors),
    }, status=status)


@never_cache
@require_GET
def track_status(request: HttpRequest) -> HttpResponse:
    report = _tracked_report(request)
    if report is None:
        return redirect("public:track")
    return _status_page(request, report)


@never_cache
@require_POST
@ratelimit(key="ip", rate=_track_rate, method="POST", block=False)
def track_review(request: HttpRequest) -> HttpResponse:
    """The victim asks for a review of the decision on their crime, from the status page (after the code)."""
    report = _tracked_report(request)
    if report is None:
        return redirect("public:track")
    if getattr(request, "limited", False):
        return _too_many(request)
    form = forms.AskForReviewForm(data=request.POST)
    # The key was given to this session with the form: a double click or a retried request sends it again.
    # After a success the key moves to SESSION_REVIEW_LAST, so a late repeat still finds the request it made.
    key = request.session.get(SESSION_REVIEW_KEY) or request.session.get(SESSION_REVIEW_LAST) or services.new_review_key()
    done = submit_form(form, lambda data: services.ask_for_review(report=report, reasons=data["reasons"],
                                                                  submission_key=key))
    if not done.ok:
        return _status_page(request, report, review_form=form, status=400)
    request.session.pop(SESSION_REVIEW_KEY, None)
    request.session[SESSION_REVIEW_LAST] = key
    request.session[SESSION_REVIEW_SENT] = True
    request.session[SESSION_REVIEW_RECEIPT] = selectors.review_receipt_words(done.result)
    return HttpResponseRedirect(reverse("public:track-status") + "#review")


# --- business reports ----------------------------------------------------------------------------

def _business_user(request: HttpRequest) -> BusinessUser | None:
    pk = request.session.get(SESSION_BUSINESS_USER)
    if not pk:
        return None
    return BusinessUser.objects.filter(pk=pk, active=True, account__active=True).select_related("account").first()


def business_required(view):
    """Business pages need a signed-in business user (not police staff); others go to the sign-in page."""

    def wrapped(request: HttpRequest, *args, **kwargs):
        user = _business_user(request)
        if user is None:
            return HttpResponseRedirect(f"{reverse('public:business-sign-in')}?next={request.path}")
        request.business_user = user
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=False)
def business_sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request)
        form = forms.BusinessSignInForm(data=request.POST)
        if form.is_valid():
            try:
                user = services.authenticate_business_user(email=form.cleaned_data["email"],
                                                           password=form.cleaned_data["password"])
            except ValidationError as exc:
                form.add_error("email", exc.message_dict["email"][0])
            else:
                request.session.cycle_key()
                request.session[SESSION_BUSINESS_USER] = user.pk
                return redirect("public:business-home")
    else:
        form = forms.BusinessSignInForm()
    return TemplateResponse(request, "public/business_sign_in.html", {"form": form, "has_errors": bool(form.errors)},
                            status=400 if form.errors else 200)


@require_POST
def business_sign_out(request: HttpRequest) -> HttpResponse:
    for name in (SESSION_BUSINESS_USER, SESSION_BUSINESS_DRAFT, SESSION_BUSINESS_DONE):
        request.session.pop(name, None)
    request.session.cycle_key()
    return redirect("public:business-sign-in")


@never_cache
@require_http_methods(["GET", "POST"])
def business_set_password(request: HttpRequest, token: str) -> HttpResponse:
    user = services.invited_user(token)
    if user is None:
        return TemplateResponse(request, "public/link_expired.html", status=404)
    if request.method == "POST":
        form = forms.SetPasswordForm(data=request.POST)
        if form.is_valid():
            try:
                services.set_business_password(token=token, password=form.cleaned_data["password"])
            except ValidationError as exc:
                form.add_error("password", exc.message_dict["password"][0])
            else:
                return redirect("public:business-sign-in")
    else:
        form = forms.SetPasswordForm()
    return TemplateResponse(request, "public/business_set_password.html", {
        "form": form, "business_user": user, "has_errors": bool(form.errors)}, status=400 if form.errors else 200)


def _draft(request: HttpRequest) -> dict:
    draft = request.session.get(SESSION_BUSINESS_DRAFT)
    if not draft:
        draft = {"key": services.new_submission_key(), "incidents": []}
        request.session[SESSION_BUSINESS_DRAFT] = draft
    return draft


INCIDENT_FORMS = {"shoplifting": forms.ShopliftingForm, "fuel-drive-off": forms.FuelDriveOffForm}
INCIDENT_KINDS = {"shoplifting": ReportKind.SHOPLIFTING, "fuel-drive-off": ReportKind.FUEL_DRIVE_OFF}


def _sites(user: BusinessUser):
    return list(BusinessSite.objects.filter(account=user.account).order_by("name"))


def _incident_rows(user: BusinessUser, draft: dict) -> list[dict]:
    sites = {str(s.pk): s for s in _sites(user)}
    rows = []
    for number, item in enumerate(draft["incidents"], start=1):
        form = INCIDENT_FORMS[item["form"]](data=item["data"], sites=sites.values())
        form.is_valid()
        c = form.cleaned_data
        what = f"{c.get('registration', '')}, pump {c.get('pump', '')}, {c.get('litres', '')} litres, £{c.get('value', '')}" \
            if item["form"] == "fuel-drive-off" else (c.get("items", "") or "").replace("\n", "; ")
        rows.append({"number": number, "kind": INCIDENT_KINDS[item["form"]].label, "site": str(sites.get(item["data"].get("site"), "")),
                     "when": f"{c['date']:%-d %B %Y} {c.get('time', '')}" if c.get("date") else "", "what": what,
                     "cctv": "Yes" if c.get("cctv") == "yes" else "No"})
    return rows


@never_cache
@require_GET
@business_required
def business_home(request: HttpRequest) -> TemplateResponse:
    draft = _draft(request)
    return TemplateResponse(request, "public/business_home.html", {
        "business_user": request.business_user, "rows": _incident_rows(request.business_user, draft),
        "key": draft["key"], "honeypot": forms.HONEYPOT,
    })


@never_cache
@require_http_methods(["GET", "POST"])
@business_required
def business_add(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in INCIDENT_FORMS:
        raise Http404("No such kind of incident")
    user = request.business_user
    sites = _sites(user)
    draft = _draft(request)
    if request.method == "POST":
        typed = {k: v for k, v in request.POST.items() if k not in POSTED_SKIP}
        form = INCIDENT_FORMS[kind](data=typed, sites=sites)
        if form.is_valid():
            draft["incidents"].append({"form": kind, "data": typed})
            request.session.modified = True
            return redirect("public:business-home")
    else:
        initial = {"site": str(sites[0].pk)} if len(sites) == 1 else {}
        form = INCIDENT_FORMS[kind](initial=initial, sites=sites)
    return TemplateResponse(request, "public/business_add.html", {
        "form": form, "kind": INCIDENT_KINDS[kind], "business_user": user, "has_errors": bool(form.errors),
    }, status=400 if form.errors else 200)


@require_POST
@business_required
def business_remove(request: HttpRequest, number: int) -> HttpResponse:
    draft = _draft(request)
    if 1 <= number <= len(draft["incidents"]):
        draft["incidents"].pop(number - 1)
        request.session.modified = True
    return redirect("public:business-home")


@never_cache
@require_POST
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=False)
@business_required
def business_submit(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many(request)
    if _bot(request):
        return _refuse_bot(request)
    user = request.business_user
    key = (request.POST.get("submission_key") or "").strip()
    draft = request.session.get(SESSION_BUSINESS_DRAFT) or {}
    from .models import BusinessSubmission

    submission = BusinessSubmission.objects.filter(submission_key=key, account=user.account).first() if key else None
    if submission is None:
        if draft.get("key") != key or not draft.get("incidents"):
            return redirect("public:business-home")
        sites = {str(s.pk): s for s in _sites(user)}
        incidents = []
        for item in draft["incidents"]:
            form = INCIDENT_FORMS[item["form"]](data=item["data"], sites=sites.values())
            if not form.is_valid():
                return redirect("public:business-home")
            incidents.append((_business_incident(item["form"], form.cleaned_data), sites[form.cleaned_data["site"]]))
        submission = services.submit_business_report(user=user, submission_key=key, incidents=incidents)
    request.session.pop(SESSION_BUSINESS_DRAFT, None)
    request.session[SESSION_BUSINESS_DONE] = submission.pk
    return redirect("public:business-done")


def _business_incident(kind: str, c: dict) -> services.Incident:
    if kind == "shoplifting":
        answers = {"Items taken and their values": c["items"], "Offender": c["offender"],
                   "CCTV held": "Yes" if c["cctv"] == "yes" else "No"}
        return services.Incident(kind=ReportKind.SHOPLIFTING, occurred_at=services.local_moment(c["date"], c["time"]),
                                 location="", description=f"Shoplifting: {c['items']}", answers=answers,
                                 offender_description=c["offender"], cctv_held=c["cctv"] == "yes")
    answers = {"Vehicle registration": c["registration"], "Pump": str(c["pump"]), "Litres": f"{c['litres']}",
               "Value": f"£{c['value']}", "CCTV held": "Yes" if c["cctv"] == "yes" else "No"}
    return services.Incident(kind=ReportKind.FUEL_DRIVE_OFF, occurred_at=services.local_moment(c["date"], c["time"]),
                             location="", description=f"Fuel drive-off: {c['litres']} litres, £{c['value']}",
                             answers=answers, vehicle_registration=c["registration"].replace(" ", ""),
                             cctv_held=c["cctv"] == "yes")


@never_cache
@require_GET
@business_required
def business_done(request: HttpRequest) -> HttpResponse:
    from .models import BusinessSubmission

    submission = BusinessSubmission.objects.filter(pk=request.session.get(SESSION_BUSINESS_DONE) or 0,
                                                   account=request.business_user.account).first()
    if submission is None:
        return redirect("public:business-home")
    references = list(submission.reports.order_by("pk").values_list("contact__reference", "kind"))
    cctv_wanted = [r for r in submission.reports.values_list("answers", flat=True)
                   if (r.get("questions") or {}).get("CCTV held") == "Yes"]
    return TemplateResponse(request, "public/business_done.html", {
        "business_user": request.business_user,
        "references": [(ref, ReportKind(kind).label) for ref, kind in references],
        "cctv_links": bool(cctv_wanted),
    })
