"""Live chat pages: the public chat (pre-chat, queue, conversation, transcript) and the staff console."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import selectors as contact_selectors
from contacts.models import AdviceArticle
from firstcontact.submissions import submit_form

from . import selectors, services
from .consumers import PUBLIC_SESSION_KEY
from .forms import (
    ContactFromChatForm,
    EndForm,
    FindPersonForm,
    MessageForm,
    PreChatForm,
    TranscriptForm,
    TransferForm,
)
from .models import ChatStatus, Sender

HANDLE = "accounts.handle_chats"


# --- Public -------------------------------------------------------------------------------------

def _public_chat(request: HttpRequest):
    return selectors.chat_for_public(request.session.get(PUBLIC_SESSION_KEY))


def _render_public(request: HttpRequest, *, form=None, transcript_form=None, status: int = 200) -> TemplateResponse:
    chat = _public_chat(request)
    context = {"chat": chat, "has_errors": bool((form and form.errors) or (transcript_form and transcript_form.errors))}
    if chat is None:
        context["form"] = form or PreChatForm(initial={"idempotency_key": secrets.token_urlsafe(24)})
    else:
        context["messages_"] = list(chat.messages.order_by("seq"))
        context["estimate"] = selectors.queue_estimate(chat)
        context["transcript_form"] = transcript_form or TranscriptForm()
        context["transcripts_sent"] = list(chat.transcript_requests.values_list("email", flat=True))
    return TemplateResponse(request, "chat/public_chat.html", context, status=status)


@require_http_methods(["GET", "POST"])
def public_chat(request: HttpRequest):
    """The public chat page: the pre-chat questions, then the conversation in the same place."""
    if request.method == "GET":
        return _render_public(request)
    if _public_chat(request) is not None:
        # A second submit of the pre-chat (a double click, a retry): the chat already started.
        return HttpResponseRedirect(reverse("chat-public:chat"))
    form = PreChatForm(request.POST)
    started = submit_form(form, lambda data: services.start_chat(**data))
    if not started.ok:
        return _render_public(request, form=form, status=400)
    request.session[PUBLIC_SESSION_KEY] = started.result.public_key
    return HttpResponseRedirect(reverse("chat-public:chat"))


@require_POST
def public_leave(request: HttpRequest):
    """Leave the chat (or, once it has ended, forget it so a new one can start)."""
    chat = _public_chat(request)
    if chat is not None:
        if chat.status != ChatStatus.CLOSED:
            services.leave_chat(public_key=chat.public_key)
        request.session.pop(PUBLIC_SESSION_KEY, None)
    return HttpResponseRedirect(reverse("chat-public:chat"))


@require_POST
def public_transcript(request: HttpRequest):
    """Ask for the transcript by e-mail."""
    chat = _public_chat(request)
    if chat is None:
        return HttpResponseRedirect(reverse("chat-public:chat"))
    form = TranscriptForm(request.POST)
    if not submit_form(form, lambda data: services.request_transcript(public_key=chat.public_key,
                                                                      email=data["email"])).ok:
        return _render_public(request, transcript_form=form, status=400)
    return HttpResponseRedirect(reverse("chat-public:chat") + "#transcript")


# --- Staff --------------------------------------------------------------------------------------

@login_required
@permission_required(HANDLE, raise_exception=True)
@require_GET
def console(request: HttpRequest) -> TemplateResponse:
    """The agent's console: the chats they hold (up to the limit) and the queue."""
    return TemplateResponse(request, "chat/console.html", _console_context(request))


def _console_context(request: HttpRequest, **extra) -> dict:
    held = selectors.chats_held_by(request.user)
    return {
        "held": held, "limit": services.agent_limit(), "waiting": selectors.waiting_chats(),
        "recent": selectors.recent_closed(limit=10), **extra,
    }


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def accept_next(request: HttpRequest):
    try:
        chat = services.accept_next_chat(agent=request.user)
    except ValidationError as exc:
        return TemplateResponse(request, "chat/console.html", _console_context(
            request, accept_error=exc.message_dict["chat"][0]), status=409)
    return HttpResponseRedirect(reverse("chat:chat", args=[chat.pk]))


def _workspace(request: HttpRequest, chat_id: int, *, status: int = 200, **forms) -> TemplateResponse:
    chat = selectors.chat_for_agent(actor=request.user, chat_id=chat_id, reason=f"Chat {chat_id}")
    reason = f"Chat {chat.reference}"
    panel = None
    if chat.person is not None:
        try:
            panel = contact_selectors.history_panel(actor=request.user, reason=reason, caller=chat.person)
        except PermissionDenied:
            panel = None
    advice_query = request.GET.get("advice", "").strip()
    person_query = request.GET.get("person_query", "").strip()
    people = []
    if person_query and chat.agent_id == request.user.pk:
        try:
            people = contact_selectors.find_callers(actor=request.user, reason=reason, query=person_query)
        except (PermissionDenied, ValidationError):
            people = []
    holder = chat.agent_id == request.user.pk and chat.status == ChatStatus.ACTIVE
    return TemplateResponse(request, "chat/workspace.html", {
        "chat": chat, "messages_": selectors.transcript_messages(chat), "panel": panel, "holder": holder,
        "held": selectors.chats_held_by(request.user),
        "advice_query": advice_query,
        "advice": contact_selectors.search_advice(advice_query) if advice_query else [],
        "person_query": person_query, "people": people, "searched_people": bool(person_query),
        "message_form": forms.get("message_form") or MessageForm(initial={"client_id": secrets.token_urlsafe(16)}),
        "transfer_form": forms.get("transfer_form") or TransferForm(agents=selectors.chat_agents(exclude=request.user)),
        "end_form": forms.get("end_form") or EndForm(),
        "contact_form": forms.get("contact_form") or ContactFromChatForm(),
        "find_form": FindPersonForm(initial={"query": person_query}),
        "may_record_contact": request.user.has_perm(services.TAKE_CONTACTS),
        "has_errors": any(f.errors for f in forms.values()),
    }, status=status)


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_GET
def chat_workspace(request: HttpRequest, chat_id: int) -> TemplateResponse:
    """One chat: the conversation, canned responses, the history panel, transfer, end, record as a contact."""
    return _workspace(request, chat_id)


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def send(request: HttpRequest, chat_id: int):
    """Send a message without JavaScript (the page's script sends over the WebSocket instead)."""
    form = MessageForm(request.POST)
    if not submit_form(form, lambda data: services.post_message(
            chat_id=chat_id, sender=Sender.AGENT, body=data["body"], client_id=data["client_id"],
            author=request.user)).ok:
        return _workspace(request, chat_id, message_form=form, status=400)
    return HttpResponseRedirect(reverse("chat:chat", args=[chat_id]) + "#message-form")


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def send_advice(request: HttpRequest, chat_id: int):
    """Send a knowledge-base article as a canned response (its text, with its title)."""
    article = AdviceArticle.objects.filter(pk=request.POST.get("article", ""), active=True).first() \
        if request.POST.get("article", "").isdigit() else None
    if article is None:
        form = MessageForm(initial={"client_id": secrets.token_urlsafe(16)})
        form.add_error(None, "Choose an advice article from the list to send")
        return _workspace(request, chat_id, message_form=form, status=400)
    services.post_message(chat_id=chat_id, sender=Sender.AGENT, body=f"{article.title}\n\n{article.body}",
                          client_id=(request.POST.get("client_id") or "")[:64] or None, author=request.user)
    return HttpResponseRedirect(reverse("chat:chat", args=[chat_id]) + "#conversation")


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def link_person(request: HttpRequest, chat_id: int):
    from people.models import Person

    person = Person.objects.filter(reference=(request.POST.get("person") or "").strip().upper()).first()
    if person is not None:
        services.link_person(actor=request.user, chat_id=chat_id, person=person, reason=f"Chat {chat_id}")
    return HttpResponseRedirect(reverse("chat:chat", args=[chat_id]) + "#history-heading")


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def transfer(request: HttpRequest, chat_id: int):
    agents = selectors.chat_agents(exclude=request.user)
    form = TransferForm(request.POST, agents=agents)
    if not submit_form(form, lambda data: services.transfer_chat(
            actor=request.user, chat_id=chat_id, to_agent=get_user_model().objects.filter(pk=data["to_agent"]).first(),
            reason=data["reason"])).ok:
        return _workspace(request, chat_id, transfer_form=form, status=400)
    return HttpResponseRedirect(reverse("chat:console"))


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def end(request: HttpRequest, chat_id: int):
    form = EndForm(request.POST)
    if not submit_form(form, lambda data: services.end_chat(actor=request.user, chat_id=chat_id,
                                                            outcome=data["outcome"])).ok:
        return _workspace(request, chat_id, end_form=form, status=400)
    return HttpResponseRedirect(reverse("chat:console"))


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def record_contact(request: HttpRequest, chat_id: int):
    """Record the chat as a contact and open it, where THRIVE, grade and route are done."""
    form = ContactFromChatForm(request.POST)
    recorded = submit_form(form, lambda data: services.record_contact_from_chat(
        actor=request.user, chat_id=chat_id, incident_type=data["incident_type"], location_text=data["location_text"]))
    if not recorded.ok:
        return _workspace(request, chat_id, contact_form=form, status=400)
    return HttpResponseRedirect(reverse("contacts:detail", args=[recorded.result.reference]))
