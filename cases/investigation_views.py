"""Investigation pages: resolution queues and take next, my investigations, the investigation page and its actions,
supervisor reviews due, the Victims' Code dashboard and the crime admin bureau's task queue.

Thin, like the bureau's pages: each POST binds its form, calls one service and redirects;
a refusal the user can fix comes back as a form error with what they typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Team
from audit.models import Action
from audit.services import record_entry
from firstcontact.submissions import redirect_with_flash, submit_form

from . import forms as case_forms
from . import selectors, services
from .models import BureauTask, BureauTaskStatus, Crime, Enquiry, ReviewRequest
from .rules import RuleViolation

QUEUE = "accounts.work_resolution_queue"
INVESTIGATE = "accounts.investigate_crimes"
SUPERVISE = "accounts.supervise_investigations"
BUREAU = "accounts.work_bureau_tasks"
INVESTIGATION_PERMISSIONS = (QUEUE, INVESTIGATE, SUPERVISE)


def _may_investigate(user: Any) -> bool:
    return any(user.has_perm(p) for p in INVESTIGATION_PERMISSIONS)


def _require_investigation_access(request: HttpRequest) -> None:
    if not _may_investigate(request.user):
        raise PermissionDenied("You do not have permission to work investigations.")


def _crime_or_404(reference: str) -> Crime:
    crime = selectors.crime_by_reference(reference)
    if crime is None:
        raise Http404("No such crime")
    return crime


# --- the resolution queue ---------------------------------------------------------------------------------


def _queue_team(request: HttpRequest) -> Team | None:
    centres = list(selectors.resolution_centres())
    wanted = request.GET.get("team") or request.POST.get("team")
    if wanted:
        for team in centres:
            if str(team.pk) == wanted:
                return team
        raise Http404("No such resolution centre")
    return selectors.home_resolution_centre(request.user) or (centres[0] if centres else None)


@login_required
@require_GET
def resolution_queue(request: HttpRequest) -> TemplateResponse:
    if not (request.user.has_perm(QUEUE) or request.user.has_perm(SUPERVISE)):
        raise PermissionDenied("You do not have permission to work a resolution centre's queue.")
    team = _queue_team(request)
    waiting = selectors.resolution_queue(team) if team else None
    context = {
        "team": team,
        "centres": selectors.resolution_centres(),
        "waiting": list(waiting[: selectors.QUEUE_PAGE]) if waiting is not None else [],
        "waiting_count": waiting.count() if waiting is not None else 0,
        "page_size": selectors.QUEUE_PAGE,
        "workload": selectors.team_workload(team) if team else [],
        "today": timezone.localdate(),
        "may_take": request.user.has_perm(INVESTIGATE),
    }
    return TemplateResponse(request, "cases/resolution_queue.html", context)


@login_required
@permission_required(QUEUE, raise_exception=True)
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    team = _queue_team(request)
    if team is None:
        raise Http404("No resolution centre")
    # Crimes routed to resolution since the last sweep join the queue before the next one is taken.
    services.queue_routed_crimes(actor=request.user)
    try:
        investigation = services.take_next(actor=request.user, team=team)
    except ValidationError:
        raise PermissionDenied("You cannot be allocated crimes.") from None
    if investigation is None:
        messages.info(request, f"The {team} queue is empty.")
        return HttpResponseRedirect(f"{reverse('cases:resolution-queue')}?team={team.pk}")
    messages.success(request, f"{investigation.crime.reference} is now yours")
    return HttpResponseRedirect(reverse("cases:investigation", args=[investigation.crime.reference]))


# --- lists ------------------------------------------------------------------------------------------------


@login_required
@permission_required(INVESTIGATE, raise_exception=True)
@require_GET
def my_investigations(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "cases/my_investigations.html", {
        "investigations": selectors.my_investigations(request.user),
        "due": selectors.victims_code_due(user=request.user),
        "today": timezone.localdate(),
    })


@login_required
@permission_required(SUPERVISE, raise_exception=True)
@require_GET
def reviews_due(request: HttpRequest) -> TemplateResponse:
    overdue = selectors.overdue_reviews()
    return TemplateResponse(request, "cases/reviews_due.html", {
        "overdue": overdue[: selectors.QUEUE_PAGE],
        "overdue_count": overdue.count(),
        "grouped": selectors.overdue_reviews_by(),
        "today": timezone.localdate(),
    })


@login_required
@require_GET
def victims_code(request: HttpRequest) -> TemplateResponse:
    if not (request.user.has_perm(INVESTIGATE) or request.user.has_perm(SUPERVISE)):
        raise PermissionDenied("You do not have permission to see victim updates.")
    everyone = request.user.has_perm(SUPERVISE)
    return TemplateResponse(request, "cases/victims_code.html", {
        "due": selectors.victims_code_due(user=None if everyone else request.user),
        "everyone": everyone,
        "today": timezone.localdate(),
    })


# --- the investigation page -------------------------------------------------------------------------------


FORMS: dict[str, Callable[..., forms.Form]] = {
    "allocate_form": case_forms.AllocateForm,
    "contact_form": case_forms.ContactAttemptForm,
    "enquiry_form": case_forms.EnquiryForm,
    "solvability_form": case_forms.SolvabilityForm,
    "suspect_form": case_forms.SuspectForm,
    "decision_form": case_forms.DecisionForm,
    "review_form": case_forms.ReviewForm,
    "plan_form": case_forms.UpdatePlanForm,
    "rights_form": case_forms.EnhancedRightsForm,
    "update_form": case_forms.VictimUpdateForm,
    "task_form": case_forms.BureauTaskForm,
    "victim_decision_form": case_forms.VictimDecisionForm,
    "close_form": case_forms.CloseForm,
    "reopen_form": case_forms.ReopenForm,
    "vrr_request_form": case_forms.ReviewRequestForm,
    "vrr_acknowledge_form": case_forms.AcknowledgeReviewForm,
    "vrr_decide_form": case_forms.ReviewDecisionForm,
    "vrr_refuse_form": case_forms.RefuseReviewForm,
}
PREFIXES = {name: name.removesuffix("_form").replace("_", "-") for name in FORMS}
NEEDS_INVESTIGATORS = {"allocate_form", "enquiry_form"}


def _new_form(name: str, crime: Crime, investigation: Any, investigators: list[Any], data=None) -> forms.Form:
    kwargs: dict[str, Any] = {"prefix": PREFIXES[name]}
    if name in NEEDS_INVESTIGATORS:
        kwargs["investigators"] = investigators
    if data is None:
        initial: dict[str, Any] = {}
        if name == "solvability_form":
            initial["factors"] = investigation.solvability_factors
        elif name == "plan_form":
            initial = {"every_days": investigation.update_every_days, "channel": investigation.update_channel}
        elif name == "rights_form":
            override = investigation.enhanced_rights_override
            initial = {"decision": "derived" if override is None else ("enhanced" if override else "standard"),
                       "enhanced_reason": investigation.enhanced_rights_override_reason}
        elif name == "update_form":
            initial = {"channel": investigation.update_channel}
        elif name == "allocate_form" and investigation.investigator_id:
            initial = {"investigator": investigation.investigator_id}
        elif name == "victim_decision_form":
            initial = {"victim_decision": crime.victim_decision}
        if initial:
            kwargs["initial"] = initial
        return FORMS[name](**kwargs)
    return FORMS[name](data, **kwargs)


def _investigation_page(request: HttpRequest, crime: Crime, *, status: int = 200, bound: dict | None = None
                        ) -> TemplateResponse:
    bound = bound or {}
    with transaction.atomic():
        investigation = services.ensure_investigation(crime=crime, actor=request.user)
        if crime.victim_id:
            # The page shows the victim's name and how to reach them: a consultation, logged with its purpose.
            record_entry(
                actor=request.user, action=Action.CONSULTATION, subject_type="cases.crime", subject_id=crime.pk,
                person_id=crime.victim_id, reason=f"Investigation of {crime.reference}",
                detail={"event": "investigation_viewed", "reference": crime.reference},
            )
    investigators = selectors.allocatable_investigators(investigation.team) if request.user.has_perm(SUPERVISE) else []
    review_requests = [(r, services.vrr_eligibility(r)) for r in selectors.review_requests_for(crime)]
    context: dict[str, Any] = {
        "crime": crime,
        "investigation": investigation,
        "victim": crime.victim,
        "attempts": crime.contact_attempts.select_related("attempted_by"),
        "enquiries": [
            (enquiry, bound.get(f"enquiry_status_{enquiry.pk}") or case_forms.EnquiryStatusForm(
                prefix=f"enquiry-{enquiry.pk}", initial={"status": enquiry.status, "result": enquiry.result}))
            for enquiry in crime.enquiries.select_related("owner")
        ],
        "suspects": crime.suspects.select_related("person", "linked_by"),
        "decisions": crime.decisions.select_related("made_by"),
        "reviews": crime.reviews.select_related("reviewed_by"),
        "updates": crime.victim_updates.select_related("sent_by"),
        "tasks": crime.bureau_tasks.select_related("requested_by", "taken_by"),
        "timeline": selectors.case_timeline(crime),
        "review_requests": review_requests,
        "open_review_request": next((r for r, _ in review_requests if r.is_open), None),
        "today": timezone.localdate(),
        "may_supervise": request.user.has_perm(SUPERVISE),
        "has_errors": any(form.errors for form in bound.values()),
        "open_form": next((name for name, form in bound.items() if form.errors), ""),
    }
    for name in FORMS:
        context[name] = bound.get(name) or _new_form(name, crime, investigation, investigators)
    return TemplateResponse(request, "cases/investigation.html", context, status=status)


@login_required
@require_GET
def investigation(request: HttpRequest, reference: str) -> TemplateResponse:
    _require_investigation_access(request)
    return _investigation_page(request, _crime_or_404(reference))


def _act(request: HttpRequest, reference: str, form_name: str, action: Callable[[Crime, dict[str, Any]], Any],
         done: str, *, form: forms.Form | None = None, field_names: dict[str, str] | None = None,
         anchor: str = "") -> HttpResponse:
    """Bind the form, run the service; redirect with ``done``, or show the page with the form's errors."""
    _require_investigation_access(request)
    crime = _crime_or_404(reference)
    if form is None:
        investigators = (selectors.allocatable_investigators(None) if form_name in NEEDS_INVESTIGATORS else [])
        form = _new_form(form_name, crime, None, investigators, data=request.POST)
    if submit_form(form, lambda data: action(crime, data), refusals=(ValidationError, RuleViolation),
                   field_names=field_names).ok:
        url = reverse("cases:investigation", args=[crime.reference])
        return redirect_with_flash(request, f"{url}#{anchor}" if anchor else url, done.format(reference=crime.reference))
    return _investigation_page(request, _crime_or_404(reference), status=400, bound={form_name: form})


def _supervisor_only(request: HttpRequest) -> None:
    if not request.user.has_perm(SUPERVISE):
        raise PermissionDenied("Only a supervisor can do this.")


@login_required
@require_POST
def allocate(request: HttpRequest, reference: str) -> HttpResponse:
    _supervisor_only(request)
    return _act(request, reference, "allocate_form", lambda crime, data: services.allocate_investigation(
        crime=crime, actor=request.user, investigator=data["investigator"]), "{reference} allocated",
        anchor="allocation")


@login_required
@require_POST
def contact_attempt(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "contact_form", lambda crime, data: services.record_contact_attempt(
        crime=crime, actor=request.user, method=data["method"], result=data["result"], notes=data["notes"],
        form_token=data["form_token"]), "Contact attempt recorded", anchor="victim-contact")


@login_required
@require_POST
def add_enquiry(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "enquiry_form", lambda crime, data: services.add_enquiry(
        crime=crime, actor=request.user, title=data["title"], objective=data["objective"],
        owner=data["owner"] or (crime.investigation.investigator if hasattr(crime, "investigation") else None),
        due_on=data["due_on"], form_token=data["form_token"]), "Line of enquiry added", anchor="plan")


@login_required
@require_POST
def update_enquiry(request: HttpRequest, reference: str, enquiry_id: int) -> HttpResponse:
    _require_investigation_access(request)
    crime = _crime_or_404(reference)
    enquiry = get_object_or_404(Enquiry, pk=enquiry_id, crime=crime)
    form = case_forms.EnquiryStatusForm(request.POST, prefix=f"enquiry-{enquiry.pk}")
    if submit_form(form, lambda data: services.update_enquiry(enquiry=enquiry, actor=request.user,
                                                              status=data["status"], result=data["result"])).ok:
        return redirect_with_flash(request, reverse("cases:investigation", args=[crime.reference]) + "#plan",
                                   f"Line of enquiry updated: {enquiry.title}")
    return _investigation_page(request, crime, status=400, bound={f"enquiry_status_{enquiry.pk}": form})


@login_required
@require_POST
def solvability(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "solvability_form", lambda crime, data: services.assess_solvability(
        crime=crime, actor=request.user, factors=data["factors"]), "Solvability recorded", anchor="solvability")


@login_required
@require_POST
def link_suspect(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "suspect_form", lambda crime, data: services.link_suspect(
        crime=crime, actor=request.user, person_reference=data["person_reference"], reason=data["reason"]),
        "Suspect linked", anchor="suspects")


@login_required
@require_POST
def record_decision(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "decision_form", lambda crime, data: services.record_decision(
        crime=crime, actor=request.user, kind=data["kind"], decision=data["decision"], rationale=data["rationale"],
        form_token=data["form_token"]), "Decision recorded", anchor="decisions")


@login_required
@require_POST
def record_review(request: HttpRequest, reference: str) -> HttpResponse:
    _supervisor_only(request)
    return _act(request, reference, "review_form", lambda crime, data: services.record_review(
        crime=crime, actor=request.user, risk=data["risk"], outstanding_actions=data["outstanding_actions"],
        quality=data["quality"], new_actions=data["new_actions"], next_review_on=data["next_review_on"],
        form_token=data["form_token"]), "Review recorded", anchor="reviews")


@login_required
@require_POST
def update_plan(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "plan_form", lambda crime, data: services.agree_update_plan(
        crime=crime, actor=request.user, every_days=data["every_days"], channel=data["channel"]),
        "Update plan recorded", anchor="victims-code")


@login_required
@require_POST
def enhanced_rights(request: HttpRequest, reference: str) -> HttpResponse:
    choice = {"derived": None, "enhanced": True, "standard": False}
    return _act(request, reference, "rights_form", lambda crime, data: services.set_enhanced_rights(
        crime=crime, actor=request.user, enhanced=choice[data["decision"]], reason=data["enhanced_reason"]),
        "Victim's rights recorded", anchor="victims-code")


@login_required
@require_POST
def victim_update(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "update_form", lambda crime, data: services.record_victim_update(
        crime=crime, actor=request.user, channel=data["channel"], message=data["message"],
        form_token=data["form_token"]), "Update to the victim recorded", anchor="updates")


@login_required
@require_POST
def bureau_task(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "task_form", lambda crime, data: services.request_bureau_task(
        crime=crime, actor=request.user, kind=data["kind"], instructions=data["instructions"],
        form_token=data["form_token"]), "Task handed to the crime admin bureau", anchor="bureau-tasks")


@login_required
@require_POST
def victim_decision(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "victim_decision_form", lambda crime, data: services.record_victim_decision(
        crime=crime, actor=request.user, decision=data["victim_decision"]), "Victim's decision recorded",
        anchor="outcome")


@login_required
@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    _supervisor_only(request)

    def _close(crime: Crime, data: dict[str, Any]) -> Crime:
        decision = data.get("victim_decision") or ""
        if decision and decision != crime.victim_decision:
            services.record_victim_decision(crime=crime, actor=request.user, decision=decision)
        return services.close_crime(crime=crime, actor=request.user, outcome=data["outcome"])

    return _act(request, reference, "close_form", _close, "{reference} closed", anchor="outcome")


@login_required
@require_POST
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    _supervisor_only(request)
    return _act(request, reference, "reopen_form", lambda crime, data: services.reopen_crime(
        crime=crime, actor=request.user, reason=data["reopen_reason"]), "{reference} reopened", anchor="outcome")


# --- Victims' Right to Review ----------------------------------------------------------------------------------


@login_required
@permission_required(SUPERVISE, raise_exception=True)
@require_GET
def right_to_review_queue(request: HttpRequest) -> TemplateResponse:
    waiting = selectors.open_review_requests()
    return TemplateResponse(request, "cases/right_to_review.html", {
        "waiting": waiting[: selectors.QUEUE_PAGE],
        "waiting_count": waiting.count(),
        "today": timezone.localdate(),
        "acknowledge_days": services.investigation_setting("CASES_VRR_ACKNOWLEDGE_WORKING_DAYS", 10),
        "decide_days": services.investigation_setting("CASES_VRR_DECIDE_DAYS", 30),
    })


@login_required
@require_POST
def review_request(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, "vrr_request_form", lambda crime, data: services.record_review_request(
        crime=crime, actor=request.user, requested_on=data["requested_on"], channel=data["channel"],
        victim_reasons=data["victim_reasons"], form_token=data["form_token"]),
        "Request for a review recorded", anchor="right-to-review")


def _review_request(crime: Crime, request_id: int) -> ReviewRequest:
    return get_object_or_404(ReviewRequest, pk=request_id, crime=crime)


@login_required
@require_POST
def acknowledge_review(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    _supervisor_only(request)
    return _act(request, reference, "vrr_acknowledge_form", lambda crime, data: services.acknowledge_review_request(
        request=_review_request(crime, request_id), actor=request.user),
        "Request for a review acknowledged; the victim has been told", anchor="right-to-review")


@login_required
@require_POST
def decide_review(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    _supervisor_only(request)
    return _act(request, reference, "vrr_decide_form", lambda crime, data: services.decide_review_request(
        request=_review_request(crime, request_id), actor=request.user, result=data["result"],
        reasons=data["decision_reasons"], next_steps=data["next_steps"]),
        "Review decided; the victim has been told the result", field_names={"outcome": "result", "requested_on": "result"}, anchor="right-to-review")


@login_required
@require_POST
def refuse_review(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    _supervisor_only(request)
    return _act(request, reference, "vrr_refuse_form", lambda crime, data: services.refuse_review_request(
        request=_review_request(crime, request_id), actor=request.user, reason=data["refusal_reason"]),
        "Request refused as ineligible; the victim has been told why", anchor="right-to-review")


# --- the crime admin bureau's task queue --------------------------------------------------------------------


def _task_page(request: HttpRequest, *, status: int = 200, bound: dict | None = None) -> TemplateResponse:
    bound = bound or {}
    waiting = selectors.bureau_tasks(status=BureauTaskStatus.OPEN)
    taken = selectors.bureau_tasks(status=BureauTaskStatus.TAKEN)
    return TemplateResponse(request, "cases/bureau_tasks.html", {
        "waiting": waiting[: selectors.QUEUE_PAGE],
        "waiting_count": waiting.count(),
        "taken": [(task, bound.get(task.pk) or case_forms.CompleteTaskForm(prefix=f"task-{task.pk}"))
                  for task in taken[: selectors.QUEUE_PAGE]],
        "done": selectors.bureau_tasks(status=BureauTaskStatus.DONE).order_by("-completed_at")[:10],
        "has_errors": any(form.errors for form in bound.values()),
    }, status=status)


@login_required
@permission_required(BUREAU, raise_exception=True)
@require_GET
def bureau_tasks(request: HttpRequest) -> TemplateResponse:
    return _task_page(request)


@login_required
@permission_required(BUREAU, raise_exception=True)
@require_POST
def take_task(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(BureauTask, pk=task_id)
    try:
        services.take_bureau_task(task=task, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You have taken the task on {task.crime.reference}")
    return HttpResponseRedirect(reverse("cases:bureau-tasks"))


@login_required
@permission_required(BUREAU, raise_exception=True)
@require_POST
def complete_task(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(BureauTask, pk=task_id)
    form = case_forms.CompleteTaskForm(request.POST, prefix=f"task-{task.pk}")
    if submit_form(form, lambda data: services.complete_bureau_task(task=task, actor=request.user,
                                                                    result=data["result"]),
                   default_field="result").ok:
        return redirect_with_flash(request, reverse("cases:bureau-tasks"),
                                   f"Task on {task.crime.reference} done; the investigator sees it on the case")
    return _task_page(request, status=400, bound={task.pk: form})

