"""The outbox page for staff with ``manage_notifications``: what was sent, what failed, send again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .forms import OutboxFilterForm
from .models import Status

MANAGE = "accounts.manage_notifications"
PAGE_SIZE = 50
VIEW_REASON = "Checking the delivery of a message in the outbox"


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def outbox(request: HttpRequest) -> TemplateResponse:
    form = OutboxFilterForm(request.GET or None)
    filters = selectors.OutboxFilter()
    if form.is_bound and form.is_valid():
        filters = selectors.OutboxFilter(**form.cleaned_data)
    page = Paginator(selectors.outbox(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.outbox_counts()
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(request, "notifications/outbox.html", {
        "form": form,
        "page": page,
        "rows": [(message, selectors.summarise(message)) for message in page.object_list],
        "status_tabs": [(value, label, counts[value]) for value, label in Status.choices],
        "query": query.urlencode(),
    })


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def message_detail(request: HttpRequest, message_id: int) -> TemplateResponse:
    message = selectors.message_for_staff(message_id=message_id, actor=request.user, reason=VIEW_REASON)
    if message is None:
        raise Http404("No such message.")
    return TemplateResponse(request, "notifications/message.html", {
        "message": message,
        "status_words": selectors.status_in_words(message),
        "may_retry": message.status == Status.FAILED,
    })


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponseRedirect:
    try:
        message = services.retry_message(message_id=message_id, actor=request.user)
    except services.Message.DoesNotExist:
        raise Http404("No such message.") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Message {message.reference} will be sent again")
    return HttpResponseRedirect(reverse("notifications:message", args=[message_id]))
