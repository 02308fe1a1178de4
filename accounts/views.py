from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .forms import SignInForm
from .selectors import home_page_for


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@require_POST
def sign_out(request: HttpRequest) -> HttpResponseRedirect:
    logout(request)
    return HttpResponseRedirect(reverse("accounts:signed-out"))


@require_GET
def signed_out(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "accounts/signed_out.html")


@login_required
@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "accounts/home.html", {"home": home_page_for(request.user)})
