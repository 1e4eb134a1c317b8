"""Residents' pages: "Mis consultas", the public contact form, the rating page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.clientip import client_ip
from core.errors import ActionRefused
from core.files import private_file_response
from core.ratelimit import over_limit
from core.views import refusal_shown

from . import selectors, services
from .forms import ContactForm, RatingForm, WriteForm
from .models import Attachment, Conversation, Message

PAGE_SIZE = 20
# Captcha-free abuse control for the public contact form: a few messages per hour.
FORM_LIMITS = {"ip": 5, "email": 3}
FORM_WINDOW_SECONDS = 3600


@login_required
def my_conversations(request):
    form = WriteForm()
    page = Paginator(selectors.conversations_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(request, "contact/my_conversations.html", {"page": page, "form": form})


def _uploads(form) -> tuple:
    attachment = form.cleaned_data.get("attachment")
    return (attachment,) if attachment else ()


@login_required
@require_POST
def new_conversation(request):
    form = WriteForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal_shown(request) as attempt:
            message = services.write_from_portal(
                user=request.user,
                text=form.cleaned_data["text"],
                subject=form.cleaned_data["subject"],
                uploads=_uploads(form),
            )
        if attempt.ok:
            messages.success(request, _("Message sent. We will answer you here."))
            return redirect("contact:mine_detail", message.conversation_id)
        return redirect("contact:mine")
    page = Paginator(selectors.conversations_of(request.user), PAGE_SIZE).get_page(1)
    return render(
        request, "contact/my_conversations.html", {"page": page, "form": form}, status=400
    )


def _own(request, pk: int) -> Conversation:
    return get_object_or_404(selectors.conversations_of(request.user), pk=pk)


@login_required
def my_conversation(request, pk: int):
    conversation = _own(request, pk)
    form = WriteForm()
    if request.method == "POST":
        form = WriteForm(request.POST, request.FILES)
        if form.is_valid():
            with refusal_shown(request) as attempt:
                services.write_from_portal(
                    user=request.user,
                    text=form.cleaned_data["text"],
                    conversation=conversation,
                    uploads=_uploads(form),
                )
            if attempt.ok:
                messages.success(request, _("Message sent."))
            return redirect("contact:mine_detail", pk)
    visible = conversation.messages.exclude(direction=Message.Direction.NOTE).prefetch_related(
        "attachments"
    )
    rating = (
        RatingForm() if conversation.csat_requested_at and conversation.csat_score is None else None
    )
    return render(
        request,
        "contact/my_conversation.html",
        {
            "conversation": conversation,
            "conversation_messages": visible,
            "form": form,
            "rating_form": rating,
        },
    )


@login_required
def my_attachment(request, pk: int, token: str):
    conversation = _own(request, pk)
    attachment = get_object_or_404(
        Attachment,
        message__conversation=conversation,
        token=token,
        state=Attachment.State.STORED,
    )
    if attachment.message.direction == Message.Direction.NOTE:
        raise Http404
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


def _form_over_limit(ip: str, email: str) -> bool:
    return any(
        over_limit(
            f"contact.form.{kind}",
            value,
            limit=FORM_LIMITS[kind],
            window_seconds=FORM_WINDOW_SECONDS,
        )
        for kind, value in (("ip", ip), ("email", email))
    )


def contact_form(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"].lower()
            if _form_over_limit(client_ip(request), email):
                return render(request, "contact/too_many.html", status=429)
            services.contact_form(
                name=form.cleaned_data["name"],
                email=email,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
            )
            return render(request, "contact/contact_sent.html", {"email": email})
    else:
        form = ContactForm()
    return render(request, "contact/contact_form.html", {"form": form})


def rate(request, token: str):
    if not token:
        raise Http404
    conversation = get_object_or_404(Conversation, csat_token=token)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rate(
                conversation=conversation,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "contact/rated.html", {"conversation": conversation})
    return render(request, "contact/rate.html", {"conversation": conversation, "form": form})
