"""The duplicate review pages: the queue, a pair side by side, merge, reject, and undo a merge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from . import duplicates
from .duplicate_forms import MergeForm, OpenPairForm, RejectForm, UndoForm
from .models import DuplicateCandidate, DuplicateStatus, PersonMerge

reviewer = permission_required("accounts.review_duplicates", raise_exception=True)


def _field_errors(form, error: ValidationError) -> None:
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


@login_required
@reviewer
def queue(request: HttpRequest) -> HttpResponse:
    pairs = duplicates.review_queue(actor=request.user)
    return TemplateResponse(request, "people/duplicates/queue.html", {
        "pairs": pairs, "auto_probability": duplicates.linkage.AUTO_LINK_PROBABILITY,
        "last_run": duplicates.DuplicateRun.objects.filter(finished_at__isnull=False).first(),
    })


def _merge_form(candidate: DuplicateCandidate, data=None) -> MergeForm:
    choices = [(str(p.pk), f"Keep {p.reference}") for p in (candidate.person_a, candidate.person_b)]
    return MergeForm(data, choices=choices)


@login_required
@reviewer
@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Opening a pair shows personal data, so it asks why first (the reason goes to the audit log)."""
    form = OpenPairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        view = duplicates.open_pair(actor=request.user, candidate_id=candidate_id, reason=form.cleaned_data["reason"])
        return TemplateResponse(request, "people/duplicates/pair.html", {
            "view": view, "merge_form": _merge_form(view.candidate), "reject_form": RejectForm(),
            "decided": view.candidate.status != DuplicateStatus.PENDING,
        })
    candidate = get_object_or_404(DuplicateCandidate, pk=candidate_id)
    return TemplateResponse(request, "people/duplicates/open.html", {"candidate": candidate, "form": form})


def _decide(request: HttpRequest, candidate_id: int, *, merging: bool) -> HttpResponse:
    candidate = get_object_or_404(DuplicateCandidate.objects.select_related("person_a", "person_b"), pk=candidate_id)
    form = _merge_form(candidate, request.POST) if merging else RejectForm(request.POST)
    if form.is_valid():
        try:
            if merging:
                keep = int(form.cleaned_data["survivor"])
                survivor, duplicate = ((candidate.person_a, candidate.person_b) if keep == candidate.person_a_id
                                       else (candidate.person_b, candidate.person_a))
                duplicates.merge_persons(actor=request.user, survivor=survivor, duplicate=duplicate,
                                         reason=form.cleaned_data["reason"], candidate=candidate)
                messages.success(request, f"{duplicate.reference} was merged into {survivor.reference}.")
                return redirect("duplicates:merges")
            duplicates.reject_duplicate(actor=request.user, candidate=candidate, reason=form.cleaned_data["reason"])
            messages.success(request, "The pair was recorded as two different people.")
            return redirect("duplicates:queue")
        except ValidationError as error:
            _field_errors(form, error)
    # Show the pair again with the reviewer's input and the errors; the reason they opened it is logged again.
    view = duplicates.open_pair(actor=request.user, candidate_id=candidate_id,
                                reason="Reviewing a duplicate pair after a decision was refused.")
    context = {"view": view, "decided": candidate.status != DuplicateStatus.PENDING, "has_errors": True,
               "merge_form": form if merging else _merge_form(candidate),
               "reject_form": RejectForm() if merging else form}
    return TemplateResponse(request, "people/duplicates/pair.html", context, status=400)


@login_required
@reviewer
@require_POST
def merge(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decide(request, candidate_id, merging=True)


@login_required
@reviewer
@require_POST
def reject(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decide(request, candidate_id, merging=False)


@login_required
@reviewer
def merges(request: HttpRequest) -> HttpResponse:
    recent = PersonMerge.objects.select_related("survivor", "duplicate", "merged_by", "undone_by")[:50]
    return TemplateResponse(request, "people/duplicates/merges.html", {"merges": recent, "form": UndoForm()})


@login_required
@reviewer
@require_POST
def undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    record = get_object_or_404(PersonMerge, pk=merge_id)
    form = UndoForm(request.POST)
    if form.is_valid():
        try:
            duplicates.undo_merge(actor=request.user, merge=record, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, f"The merge of {record.duplicate.reference} into "
                                      f"{record.survivor.reference} was undone; both records are as they were.")
            return redirect("duplicates:merges")
    recent = PersonMerge.objects.select_related("survivor", "duplicate", "merged_by", "undone_by")[:50]
    return TemplateResponse(request, "people/duplicates/merges.html",
                            {"merges": recent, "form": form, "failed": record.pk}, status=400)
