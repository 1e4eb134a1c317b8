"""The agents' inbox under /gestion/contacto/ (employees with two-factor authentication only)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from core.files import private_file_response
from core.views import refusal_shown

from . import selectors, services
from .forms import (
    AssignForm,
    CaseLinkForm,
    ClassifyForm,
    ContactLinkForm,
    FileCaseForm,
    NoteForm,
    ReplyForm,
)
from .models import Attachment, CannedReply, Channel, Conversation, DailyContactFigures

PAGE_SIZE = 25
BOXES = {
    "queue": gettext_lazy("Team queue"),
    "mine": gettext_lazy("Mine"),
    "all": gettext_lazy("Every queue"),
}


def _agent(request) -> None:
    if not selectors.is_agent(request.user):
        raise PermissionDenied


@login_required
def inbox(request, box: str = "queue"):
    _agent(request)
    if box not in BOXES or (box == "all" and not services.is_supervisor(request.user)):
        raise PermissionDenied
    text = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("estado", "")
    if status not in Conversation.Status.values:
        status = ""
    conversations = selectors.queue(request.user, box=box, text=text, status=status)
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("pagina"))
    for conversation in page:
        conversation.soon = selectors.due_soon(conversation)
    return render(
        request,
        "contact/staff/inbox.html",
        {
            "page": page,
            "box": box,
            "boxes": BOXES,
            "q": text,
            "status": status,
            "statuses": Conversation.Status.choices,
            "supervisor": services.is_supervisor(request.user),
        },
    )


def _conversation(request, pk: int) -> Conversation:
    _agent(request)
    conversation = get_object_or_404(
        Conversation.objects.select_related("team", "contact__user", "assignee", "case"), pk=pk
    )
    if not (
        services.is_member(request.user, conversation.team) or services.is_supervisor(request.user)
    ):
        raise PermissionDenied
    return conversation


def _templates(conversation: Conversation) -> list[tuple[str, str]]:
    if conversation.channel != Channel.WHATSAPP:
        return []
    return [
        (c.whatsapp_template, c.title)
        for c in selectors.canned_replies(conversation.team).exclude(whatsapp_template="")
    ]


@login_required
def conversation_page(request, pk: int):
    conversation = _conversation(request, pk)
    procedures = selectors.procedure_choices()
    claims = [(code, name) for code, name in procedures if code.startswith(services.CLAIM_PREFIXES)]
    context = {
        "conversation": conversation,
        "conversation_messages": conversation.messages.select_related("author").prefetch_related(
            "attachments"
        ),
        "reply_form": ReplyForm(
            canned=selectors.canned_replies(conversation.team),
            procedures=procedures,
            templates=_templates(conversation),
        ),
        "note_form": NoteForm(),
        "classify_form": ClassifyForm(
            initial={"priority": conversation.priority, "tags": ", ".join(conversation.tags)}
        ),
        "case_form": CaseLinkForm(),
        "file_form": FileCaseForm(procedures=[("", _("(choose)")), *procedures], auto_id="file_%s"),
        "claims": claims,
        "contact_form": ContactLinkForm(),
        "supervisor": services.is_supervisor(request.user, conversation.team),
        "assign_form": AssignForm(
            agents=User.objects.filter(membership__team=conversation.team).order_by("email")
        ),
        "window_open": conversation.whatsapp_window_open,
    }
    return render(request, "contact/staff/conversation.html", context)


@login_required
@require_POST
def claim(request, pk: int):
    conversation = _conversation(request, pk)
    with refusal_shown(request) as attempt:
        services.claim(conversation_id=conversation.pk, user=request.user)
    if attempt.ok:
        messages.success(request, _("The conversation is yours."))
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def reply(request, pk: int):
    conversation = _conversation(request, pk)
    form = ReplyForm(
        request.POST,
        request.FILES,
        canned=selectors.canned_replies(conversation.team),
        procedures=selectors.procedure_choices(),
        templates=_templates(conversation),
    )
    if not form.is_valid():
        messages.error(
            request,
            _("Check the answer: %(errors)s")
            % {"errors": " ".join(e for errors in form.errors.values() for e in errors)},
        )
        return redirect("contact_staff:conversation", pk)
    with refusal_shown(request) as attempt:
        body = services.compose(
            text=form.cleaned_data["text"],
            canned=form.cleaned_data["canned"],
            procedure_code=form.cleaned_data["procedure"],
        )
        template = form.cleaned_data["template"]
        if not template and conversation.channel == Channel.WHATSAPP:
            canned: CannedReply | None = form.cleaned_data["canned"]
            if canned and canned.whatsapp_template and not conversation.whatsapp_window_open:
                template = canned.whatsapp_template
        services.reply(
            conversation_id=pk,
            user=request.user,
            body=body,
            template=template,
            attachment=form.cleaned_data["attachment"],
        )
    if attempt.ok:
        messages.success(request, _("Answer queued for sending."))
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def classify(request, pk: int):
    _conversation(request, pk)
    form = ClassifyForm(request.POST)
    if form.is_valid():
        with refusal_shown(request) as attempt:
            services.classify(
                conversation_id=pk,
                user=request.user,
                priority=form.cleaned_data["priority"],
                tags=form.cleaned_data["tags"].split(","),
            )
        if attempt.ok:
            messages.success(request, _("Priority and tags saved."))
    else:
        messages.error(request, _("Choose a priority from the list."))
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def note(request, pk: int):
    _conversation(request, pk)
    form = NoteForm(request.POST)
    with refusal_shown(request) as attempt:
        services.add_note(
            conversation_id=pk, user=request.user, text=form.data.get("note", "")[:4000]
        )
    if attempt.ok:
        messages.success(request, _("Note added."))
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def assign(request, pk: int):
    conversation = _conversation(request, pk)
    form = AssignForm(request.POST, agents=User.objects.filter(membership__team=conversation.team))
    if form.is_valid():
        with refusal_shown(request) as attempt:
            services.assign(
                conversation_id=pk, actor=request.user, assignee=form.cleaned_data["assignee"]
            )
        if attempt.ok:
            messages.success(request, _("Conversation reassigned."))
    else:
        messages.error(request, _("Choose an agent of this team."))
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def link_case(request, pk: int):
    _conversation(request, pk)
    form = CaseLinkForm(request.POST)
    if form.is_valid():
        with refusal_shown(request) as attempt:
            services.link_case(
                conversation_id=pk, user=request.user, reference=form.cleaned_data["reference"]
            )
        if attempt.ok:
            messages.success(request, _("Conversation linked to the case."))
    else:
        messages.error(request, _("Write the case reference."))
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def file_case(request, pk: int):
    _conversation(request, pk)
    with refusal_shown(request) as attempt:
        case = services.file_case(
            conversation_id=pk, user=request.user, procedure_code=request.POST.get("procedure", "")
        )
    if attempt.ok:
        messages.success(
            request, _("Draft started on the resident's behalf: fill it in and submit it.")
        )
        return redirect("procedures:draft_section", case.pk, 0)
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def link_contact(request, pk: int):
    conversation = _conversation(request, pk)
    form = ContactLinkForm(request.POST)
    if form.is_valid():
        with refusal_shown(request) as attempt:
            services.link_contact(
                contact=conversation.contact,
                resident=form.cleaned_data["resident"],
                actor=request.user,
            )
        if attempt.ok:
            messages.success(request, _("Contact linked to the resident's account."))
    else:
        messages.error(request, " ".join(form.errors.get("resident", [])))
    return redirect("contact_staff:conversation", pk)


@login_required
@require_POST
def resolve(request, pk: int):
    _conversation(request, pk)
    with refusal_shown(request) as attempt:
        services.resolve(conversation_id=pk, user=request.user)
    if attempt.ok:
        messages.success(request, _("Conversation resolved; the resident is asked to rate it."))
    return redirect("contact_staff:conversation", pk)


@login_required
def attachment(request, pk: int, token: str):
    conversation = _conversation(request, pk)
    found = get_object_or_404(
        Attachment, message__conversation=conversation, token=token, state=Attachment.State.STORED
    )
    return private_file_response(
        found.file, filename=found.original_name, content_type=found.content_type
    )


@login_required
def figures(request):
    _agent(request)
    if not services.is_supervisor(request.user):
        raise PermissionDenied
    rows = DailyContactFigures.objects.filter(
        team__in=selectors.supervised_teams(request.user)
    ).select_related("team")
    page = Paginator(rows, 50).get_page(request.GET.get("pagina"))
    agents = selectors.ratings_by_agent(
        selectors.supervised_teams(request.user), timezone.now() - timedelta(days=30)
    )
    return render(request, "contact/staff/figures.html", {"page": page, "agents": agents})
