"""Staff pages: register businesses that report online (their sites and staff), and see possible series."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import forms, selectors, services
from .models import BusinessAccount

MANAGE = "accounts.manage_business_accounts"
INVESTIGATE = "accounts.investigate_crimes"


def _errors_to(form, exc: ValidationError) -> None:
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages[0])


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    form = forms.RegisterBusinessForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.register_business(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            return redirect("public-staff:account", pk=account.pk)
    return TemplateResponse(request, "public/staff/accounts.html", {
        "accounts": selectors.business_accounts(), "form": form, "has_errors": bool(form.errors),
    }, status=400 if form.errors else 200)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def account(request: HttpRequest, pk: int) -> TemplateResponse:
    business = get_object_or_404(selectors.business_accounts(), pk=pk)
    return TemplateResponse(request, "public/staff/account.html", {
        "account": business, "site_form": forms.SiteForm(), "invite_form": forms.InviteForm(),
    })


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def add_site(request: HttpRequest, pk: int) -> HttpResponse:
    business = get_object_or_404(BusinessAccount, pk=pk)
    form = forms.SiteForm(data=request.POST)
    if form.is_valid():
        try:
            services.add_site(actor=request.user, account=business, name=form.cleaned_data["site_name"],
                              address=form.cleaned_data["site_address"], postcode=form.cleaned_data["site_postcode"])
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            return redirect("public-staff:account", pk=pk)
    return TemplateResponse(request, "public/staff/account.html", {
        "account": get_object_or_404(selectors.business_accounts(), pk=pk), "site_form": form,
        "invite_form": forms.InviteForm(), "has_errors": True,
    }, status=400)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    business = get_object_or_404(BusinessAccount, pk=pk)
    form = forms.InviteForm(data=request.POST)
    if form.is_valid():
        try:
            services.invite_business_user(actor=request.user, account=business, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            return redirect("public-staff:account", pk=pk)
    return TemplateResponse(request, "public/staff/account.html", {
        "account": get_object_or_404(selectors.business_accounts(), pk=pk), "site_form": forms.SiteForm(),
        "invite_form": form, "has_errors": True,
    }, status=400)


@login_required
@permission_required(INVESTIGATE, raise_exception=True)
@require_GET
def series(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "public/staff/series.html", {
        "links": selectors.possible_series(), "may_manage": request.user.has_perm(MANAGE),
    })
