"""Writes of the contact centre: inbound messages, the agents' actions, sending, ratings.

Each function runs in one transaction that locks the conversation row, re-checks its
state under the lock and writes the audit record, so two agents acting at once get one
outcome each and a replayed webhook stores nothing twice.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.phone import whatsapp_number
from core import audit, outbox, storage
from core.errors import ActionRefused
from core.files import check_upload, sha256_of
from core.offices import directory
from procedures import selectors as procedure_selectors
from procedures.models import Case, CaseEvent, ProcedureType
from procedures.services import cases

from . import channels, sla
from .forms import ATTACHMENT_MAX_MB, ATTACHMENT_TYPES
from .models import (
    Attachment,
    CannedReply,
    Channel,
    Contact,
    Conversation,
    Membership,
    Message,
    Team,
)
from .whatsapp import (
    CAPTION_MAX_CHARS,
    IMAGE_MAX_MB,
    InboundMedia,
    WhatsAppError,
    media_kind,
)

log = logging.getLogger(__name__)

SEND = "contact.send"
FETCH_MEDIA = "contact.fetch_media"
BODY_MAX_CHARS = 20_000
# A long e-mail thread carries every ancestor's id in References: the newest ones suffice.
REFERENCES_LOOKUP = 50
CASE_CHANNELS = {
    Channel.WHATSAPP: Case.Channel.WHATSAPP,
    Channel.EMAIL: Case.Channel.EMAIL,
    Channel.WEB: Case.Channel.ONLINE,
}
CLAIM_PREFIXES = ("reclamo-", "denuncia-")


# --- Contacts and routing -----------------------------------------------------------------


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def _resident_by_phone(wa_id: str) -> User | None:
    """The one resident who confirmed this number with a code sent to it; a number only typed
    in a profile proves nothing (anyone can type anyone's number), nor does a shared one."""
    number = whatsapp_number(wa_id)
    if number is None:
        return None
    matches = list(
        User.objects.filter(role=User.Role.RESIDENT, is_active=True, verified_phone=number)[:2]
    )
    return matches[0] if len(matches) == 1 else None


def _resident_by_email(email: str) -> User | None:
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(
            email__iexact=email,
            verified=True,
            user__role=User.Role.RESIDENT,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    return address.user if address else None


def is_staff_address(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exclude(role=User.Role.RESIDENT).exists()


def whatsapp_contact(wa_id: str, name: str = "") -> Contact:
    contact, _created = Contact.objects.get_or_create(
        whatsapp_id=_digits(wa_id), defaults={"name": name[:150]}
    )
    if contact.user is None:
        # Also later: the resident may confirm their number after first writing to us.
        resident = _resident_by_phone(wa_id)
        if resident is not None:
            with transaction.atomic():
                if Contact.objects.filter(pk=contact.pk, user__isnull=True).update(user=resident):
                    contact.user = resident
                    audit.record(
                        actor=None,
                        action="contact.matched",
                        obj=contact,
                        after={"user": resident.email, "by": "verified phone"},
                    )
            contact.refresh_from_db(fields=["user"])
    return contact


def email_contact(email: str, name: str = "") -> Contact:
    email = email.strip().lower()
    contact, created = Contact.objects.get_or_create(email=email, defaults={"name": name[:150]})
    if created:
        # Only a verified resident address: a sender claiming a staff address gets no account.
        contact.user = _resident_by_email(email)
        if contact.user:
            contact.save(update_fields=["user"])
    return contact


def user_contact(user: User) -> Contact:
    contact = Contact.objects.filter(user=user).order_by("pk").first()
    if contact is None and _resident_by_email(user.email) == user:
        # The contact form's e-mail contact, only if this account verified that address.
        contact = Contact.objects.filter(email__iexact=user.email, user__isnull=True).first()
        if contact is not None:
            contact.user = user
            contact.save(update_fields=["user"])
    return contact or Contact.objects.create(
        user=user, name=user.get_full_name() or user.full_name, email=""
    )


def link_contact(*, contact: Contact, resident: User, actor: User) -> Contact:
    if resident.role != User.Role.RESIDENT:
        raise ActionRefused(_("Only a resident account can be linked to a contact."))
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = {"user": contact.user.email if contact.user else None}
        contact.user = resident
        contact.save(update_fields=["user"])
        audit.record(
            actor=actor,
            action="contact.linked",
            obj=contact,
            before=before,
            after={"user": resident.email},
        )
    return contact


def route(channel: str, text: str, user: User | None) -> Team:
    """The team for a new conversation: menu option, the resident's open case, keyword, channel."""
    teams = list(Team.objects.all())
    if not teams:
        return Team.objects.create(code="general", name=_("Contact centre"))
    answer = text.strip().lower()
    for team in teams:
        if team.menu_option and answer == team.menu_option.lower():
            return team
    if user is not None:
        department = (
            Case.objects.filter(applicant=user, status__in=Case.OPEN_STATUSES)
            .order_by("-submitted_at")
            .values_list("current_department", flat=True)
            .first()
        )
        for team in teams:
            if department and team.department and team.department.code == department:
                return team
    words = set(re.findall(r"\w+", answer))
    for team in teams:
        if words & set(team.keyword_list()):
            return team
    for team in teams:
        if channel in (team.channels or []):
            return team
    return teams[0]


def _round_robin(team: Team) -> User | None:
    membership = (
        Membership.objects.select_for_update(skip_locked=True)
        .filter(team=team, on_duty=True, user__is_active=True)
        .order_by(F("last_assigned_at").asc(nulls_first=True), "pk")
        .select_related("user")
        .first()
    )
    if membership is None:
        return None
    membership.last_assigned_at = timezone.now()
    membership.save(update_fields=["last_assigned_at"])
    return membership.user


# --- Inbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    channel: str
    contact: Contact
    text: str
    external_id: str | None = None
    at: datetime | None = None
    subject: str = ""
    reply_to: str = ""
    thread_ids: tuple[str, ...] = ()
    uploads: tuple[UploadedFile, ...] = ()
    media: tuple[InboundMedia, ...] = ()
    tags: tuple[str, ...] = ()


def _thread_of(inbound: Inbound) -> Conversation | None:
    ids = [i for i in (inbound.reply_to, *inbound.thread_ids[-REFERENCES_LOOKUP:]) if i]
    if ids:
        found = (
            Message.objects.filter(external_id__in=ids, conversation__contact=inbound.contact)
            .order_by("-created_at")
            .values_list("conversation_id", flat=True)
            .first()
        )
        if found:
            return Conversation.objects.select_for_update().get(pk=found)
    return (
        Conversation.objects.select_for_update()
        .filter(contact=inbound.contact, channel=inbound.channel)
        .exclude(status=Conversation.Status.RESOLVED)
        .order_by("-created_at")
        .first()
    )


def _rating_answer(conversation: Conversation | None, inbound: Inbound) -> int | None:
    """A WhatsApp reply "1".."5" to our rating question of the last resolved conversation."""
    if inbound.channel != Channel.WHATSAPP or conversation is not None:
        return None
    if not re.fullmatch(r"\s*[1-5]\s*", inbound.text or ""):
        return None
    return int(inbound.text)


def receive(inbound: Inbound) -> Message | None:
    """Store one message from a resident; None if it was stored before (a provider's retry)."""
    at = inbound.at or timezone.now()
    if inbound.external_id and Message.objects.filter(external_id=inbound.external_id).exists():
        return None
    try:
        with transaction.atomic():
            conversation = _thread_of(inbound)
            score = _rating_answer(conversation, inbound)
            if score is not None:
                rated = (
                    Conversation.objects.filter(
                        contact=inbound.contact,
                        channel=inbound.channel,
                        csat_requested_at__isnull=False,
                        csat_score__isnull=True,
                    )
                    .order_by("-resolved_at")
                    .first()
                )
                if rated is not None:
                    rate(conversation=rated, score=score, comment="")
                    return Message.objects.create(
                        conversation=rated,
                        direction=Message.Direction.IN,
                        body=inbound.text[:BODY_MAX_CHARS],
                        external_id=inbound.external_id,
                        created_at=at,
                    )
            message = _store_inbound(conversation, inbound, at)
    except IntegrityError:
        # The same provider id stored by a concurrent delivery of the same webhook.
        if inbound.external_id and Message.objects.filter(external_id=inbound.external_id).exists():
            return None
        raise
    return message


def _store_inbound(conversation: Conversation | None, inbound: Inbound, at: datetime) -> Message:
    if conversation is None:
        team = route(inbound.channel, inbound.text, inbound.contact.user)
        conversation = Conversation(
            channel=inbound.channel,
            contact=inbound.contact,
            subject=(inbound.subject or inbound.text.split("\n", 1)[0])[:200],
            team=team,
            created_at=at,
            tags=list(inbound.tags),
        )
        sla.start_clock(conversation)
        if team.auto_assign:
            conversation.assignee = _round_robin(team)
        conversation.last_inbound_at = at
        conversation.save()
        audit.record(
            actor=None,
            action="conversation.opened",
            obj=conversation,
            after={
                "channel": conversation.channel,
                "team": team.code,
                "assignee": conversation.assignee.email if conversation.assignee else None,
            },
        )
    else:
        if conversation.status != Conversation.Status.OPEN:
            before = {"status": conversation.status}
            Conversation.STATES.move(conversation, Conversation.Status.OPEN)
            sla.resident_wrote(conversation, at)
            conversation.waiting_since = None
            conversation.resolved_at = None
            audit.record(
                actor=None,
                action="conversation.reopened",
                obj=conversation,
                before=before,
                after={"status": conversation.status},
            )
        elif conversation.first_response_at and conversation.next_response_due is None:
            sla.resident_wrote(conversation, at)
        conversation.last_inbound_at = max(filter(None, (conversation.last_inbound_at, at)))
        for tag in inbound.tags:
            if tag not in conversation.tags:
                conversation.tags.append(tag)
        conversation.save()
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.IN,
        body=inbound.text[:BODY_MAX_CHARS],
        external_id=inbound.external_id or None,
        reply_to_external_id=(inbound.reply_to or "")[:250],
        created_at=at,
    )
    for uploaded in inbound.uploads:
        store_attachment(message, uploaded)
    for media in inbound.media:
        attachment = Attachment.objects.create(
            message=message,
            token=secrets.token_hex(16),
            original_name=media.filename[:200],
            content_type=media.mime_type[:100],
            media_id=media.media_id,
            state=Attachment.State.PENDING,
        )
        outbox.enqueue(FETCH_MEDIA, {"attachment_id": attachment.pk}, subject=attachment)
    if conversation.case_id:
        _case_note(conversation, message)
    return message


def store_attachment(message: Message, uploaded: UploadedFile) -> Attachment:
    """Stored privately if its content is an accepted type and size; else kept as refused."""
    attachment = Attachment(
        message=message,
        token=secrets.token_hex(16),
        original_name=(uploaded.name or "archivo")[:200],
        size=uploaded.size or 0,
    )
    try:
        attachment.content_type = check_upload(
            uploaded, accept=ATTACHMENT_TYPES, max_size_mb=ATTACHMENT_MAX_MB
        )
    except ValidationError as exc:
        attachment.state = Attachment.State.REFUSED
        attachment.refusal = " ".join(exc.messages)[:500]
        attachment.save()
        return attachment
    attachment.sha256 = sha256_of(uploaded)
    attachment.state = Attachment.State.STORED
    storage.save(attachment.file, attachment.token, uploaded)
    attachment.save()
    return attachment


def fetch_media(*, attachment_id: int) -> None:
    """Outbox handler: download a WhatsApp media through the Graph API, check it, store it."""
    attachment = (
        Attachment.objects.select_for_update()
        .filter(pk=attachment_id, state=Attachment.State.PENDING)
        .first()
    )
    if attachment is None:
        return
    try:
        content, mime = channels.whatsapp().fetch_media(attachment.media_id)
    except WhatsAppError as exc:
        if not exc.permanent:
            raise
        attachment.state = Attachment.State.REFUSED
        attachment.refusal = str(exc)[:500]
        attachment.save(update_fields=["state", "refusal"])
        return
    uploaded = SimpleUploadedFile(attachment.original_name, content, content_type=mime)
    message = attachment.message
    attachment.delete()
    store_attachment(message, uploaded)


# --- Agents' actions ---------------------------------------------------------------------


def _locked(conversation_id: int) -> Conversation:
    # The row alone: joined rows would be read from before the lock was granted (a claim
    # that waited would see the new assignee id but not the new assignee).
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def is_member(user: User, team: Team) -> bool:
    return user.is_superuser or Membership.objects.filter(team=team, user=user).exists()


def is_supervisor(user: User, team: Team | None = None) -> bool:
    if user.is_superuser:
        return True
    memberships = Membership.objects.filter(user=user, supervisor=True)
    return memberships.filter(team=team).exists() if team else memberships.exists()


def claim(*, conversation_id: int, user: User) -> Conversation:
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not is_member(user, conversation.team):
            raise ActionRefused(_("You are not in the team of this conversation."))
        if conversation.assignee_id == user.pk:
            raise ActionRefused(_("This conversation is already yours."))
        if conversation.assignee_id is not None:
            raise ActionRefused(
                _("%(agent)s took this conversation first.")
                % {"agent": conversation.assignee.get_full_name() or conversation.assignee.email}
            )
        if conversation.status == Conversation.Status.RESOLVED:
            raise ActionRefused(_("This conversation is resolved."))
        conversation.assignee = user
        conversation.save(update_fields=["assignee"])
        audit.record(
            actor=user,
            action="conversation.claimed",
            obj=conversation,
            before={"assignee": None},
            after={"assignee": user.email},
        )
    return conversation


def assign(
    *, conversation_id: int, actor: User, assignee: User | None, team: Team | None = None
) -> Conversation:
    """A supervisor moves a conversation to an agent and/or another team."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not is_supervisor(actor, conversation.team):
            raise ActionRefused(_("Only a supervisor of this team can reassign it."))
        target_team = team or conversation.team
        if assignee is not None and not is_member(assignee, target_team):
            raise ActionRefused(
                _("%(agent)s is not in the team %(team)s.")
                % {"agent": assignee.email, "team": target_team.name}
            )
        before = {
            "team": conversation.team.code,
            "assignee": conversation.assignee.email if conversation.assignee else None,
        }
        conversation.team = target_team
        conversation.assignee = assignee
        conversation.save(update_fields=["team", "assignee"])
        audit.record(
            actor=actor,
            action="conversation.assigned",
            obj=conversation,
            before=before,
            after={"team": target_team.code, "assignee": assignee.email if assignee else None},
        )
    return conversation


def _may_act(user: User, conversation: Conversation) -> None:
    if conversation.assignee_id == user.pk or is_supervisor(user, conversation.team):
        return
    if conversation.assignee_id is None and is_member(user, conversation.team):
        conversation.assignee = user  # answering an unclaimed conversation takes it
        return
    if conversation.assignee_id is None:
        raise ActionRefused(_("You are not in the team of this conversation."))
    raise ActionRefused(
        _("%(agent)s is handling this conversation.")
        % {"agent": conversation.assignee.get_full_name() or conversation.assignee.email}
    )


def procedure_answer(code: str) -> str:
    version = procedure_selectors.published_version_of(code)
    if version is None:
        raise ActionRefused(_("That procedure is not published."))
    url = settings.SITE_URL.rstrip("/") + reverse("procedures:detail", args=[code])
    return f"{version.name_es}: {url}"


def compose(*, text: str = "", canned: CannedReply | None = None, procedure_code: str = "") -> str:
    parts = [canned.body if canned else "", text.strip()]
    if procedure_code:
        parts.append(procedure_answer(procedure_code))
    return "\n\n".join(p for p in parts if p)


def reply(
    *,
    conversation_id: int,
    user: User,
    body: str,
    template: str = "",
    wait_for_resident: bool = True,
    attachment: UploadedFile | None = None,
) -> Message:
    """Answer the resident in the conversation's channel; sent after the commit, retried.
    A file goes with it: stored like the residents' files, sent as WhatsApp media, as an
    e-mail attachment, or shown on "Mis consultas"."""
    body = body.strip()
    if not body and not template and attachment is None:
        raise ActionRefused(_("Write an answer or choose a canned reply."))
    sniffed = _check_outgoing_file(attachment) if attachment is not None else ""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        _may_act(user, conversation)
        if conversation.status == Conversation.Status.RESOLVED:
            raise ActionRefused(
                _("This conversation is resolved; it reopens if the resident writes.")
            )
        if (
            conversation.channel == Channel.WHATSAPP
            and not template
            and not conversation.whatsapp_window_open
        ):
            raise ActionRefused(
                _(
                    "More than 24 hours have passed since the resident's last message: WhatsApp "
                    "only allows an approved template now. Choose one of the templates."
                )
            )
        if attachment is not None and conversation.channel == Channel.WHATSAPP:
            _check_whatsapp_file(attachment, sniffed, body=body, template=template)
        now = timezone.now()
        message = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.OUT,
            body=body[:BODY_MAX_CHARS],
            template_name=template[:100],
            author=user,
            delivery=Message.Delivery.QUEUED,
            created_at=now,
        )
        if attachment is not None:
            store_attachment(message, attachment)
        if conversation.channel == Channel.EMAIL or (
            conversation.channel == Channel.WEB and conversation.contact.user_id is None
        ):
            # Our own Message-ID, known before sending: the resident's answer threads on it.
            message.external_id = make_msgid(domain=_mail_domain())
            message.save(update_fields=["external_id"])
        before = {"status": conversation.status}
        if conversation.first_response_at is None:
            conversation.first_response_at = now
        conversation.next_response_due = None
        if wait_for_resident and conversation.status == Conversation.Status.OPEN:
            Conversation.STATES.move(conversation, Conversation.Status.WAITING)
            conversation.waiting_since = now
        conversation.save()
        audit.record(
            actor=user,
            action="conversation.replied",
            obj=conversation,
            before=before,
            after={
                "status": conversation.status,
                "message": message.pk,
                "template": template or None,
                "attachment": attachment.name if attachment is not None else None,
            },
        )
        if conversation.case_id:
            _case_note(conversation, message)
        outbox.enqueue(SEND, {"message_id": message.pk}, subject=message)
    return message


def _check_outgoing_file(uploaded: UploadedFile) -> str:
    """The residents' rules for the agents' files too: by content, size-limited; its type."""
    try:
        return check_upload(uploaded, accept=ATTACHMENT_TYPES, max_size_mb=ATTACHMENT_MAX_MB)
    except ValidationError as exc:
        raise ActionRefused(
            _("The file was not sent: %(reason)s") % {"reason": " ".join(exc.messages)}
        ) from exc


def _check_whatsapp_file(
    uploaded: UploadedFile, content_type: str, *, body: str, template: str
) -> None:
    """What Meta would refuse after the commit, said to the agent now."""
    if template:
        raise ActionRefused(
            _(
                "A WhatsApp template cannot carry a file. Send the template alone; the file can "
                "go once the resident writes back."
            )
        )
    if len(body) > CAPTION_MAX_CHARS:
        raise ActionRefused(
            _(
                "On WhatsApp the text goes with the file as its caption, at most %(max)s "
                "characters. Send the text first, then the file."
            )
            % {"max": CAPTION_MAX_CHARS}
        )
    if media_kind(content_type) == "image" and uploaded.size > IMAGE_MAX_MB * 2**20:
        raise ActionRefused(
            _("WhatsApp takes images of up to %(max)s MB. Send it as a PDF or make it smaller.")
            % {"max": IMAGE_MAX_MB}
        )


def classify(*, conversation_id: int, user: User, priority: int, tags: list[str]) -> Conversation:
    """Priority and tags (lower case, no repeats), audited."""
    if priority not in Conversation.Priority.values:
        raise ActionRefused(_("Choose a priority from the list."))
    clean = list(dict.fromkeys(t.strip().lower()[:40] for t in tags if t.strip()))[:20]
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not is_member(user, conversation.team):
            raise ActionRefused(_("You are not in the team of this conversation."))
        before, after = audit.changed_fields(conversation, {"priority": priority, "tags": clean})
        if after:
            conversation.priority, conversation.tags = priority, clean
            conversation.save(update_fields=["priority", "tags"])
            audit.record(
                actor=user,
                action="conversation.classified",
                obj=conversation,
                before=before,
                after=after,
            )
    return conversation


def add_note(*, conversation_id: int, user: User, text: str) -> Message:
    if not text.strip():
        raise ActionRefused(_("The note is empty."))
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not is_member(user, conversation.team):
            raise ActionRefused(_("You are not in the team of this conversation."))
        message = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.NOTE,
            body=text.strip(),
            author=user,
            delivery=Message.Delivery.SENT,
        )
        audit.record(
            actor=user, action="conversation.noted", obj=conversation, after={"message": message.pk}
        )
    return message


def _case_note(conversation: Conversation, message: Message) -> None:
    who = {
        Message.Direction.IN: _("the resident"),
        Message.Direction.OUT: _("the contact centre"),
    }.get(message.direction, "")
    CaseEvent.objects.create(
        case_id=conversation.case_id,
        kind=CaseEvent.Kind.NOTE,
        public=False,
        actor=message.author,
        message=_("Conversation #%(id)s (%(channel)s), from %(who)s: %(text)s")
        % {
            "id": conversation.pk,
            "channel": conversation.get_channel_display(),
            "who": who,
            "text": message.body[:2000],
        },
    )


def link_case(*, conversation_id: int, user: User, reference: str) -> Conversation:
    case = Case.objects.filter(reference=reference.strip().upper()).first()
    if case is None:
        raise ActionRefused(_("No case has the reference %(ref)s.") % {"ref": reference})
    with transaction.atomic():
        conversation = _locked(conversation_id)
        _may_act(user, conversation)
        before = {"case": conversation.case.reference if conversation.case else None}
        conversation.case = case
        conversation.save()
        for message in conversation.messages.exclude(direction=Message.Direction.NOTE):
            _case_note(conversation, message)
        audit.record(
            actor=user,
            action="conversation.case_linked",
            obj=conversation,
            before=before,
            after={"case": case.reference},
        )
    return conversation


def file_case(*, conversation_id: int, user: User, procedure_code: str) -> Case:
    """The engine's assisted filing, for the conversation's resident, channel recorded."""
    version = procedure_selectors.published_version_of(procedure_code)
    if version is None or version.procedure_type.audience != ProcedureType.Audience.RESIDENT:
        raise ActionRefused(_("Choose a published procedure for residents."))
    with transaction.atomic():
        conversation = _locked(conversation_id)
        _may_act(user, conversation)
        resident = conversation.contact.user
        if resident is None:
            raise ActionRefused(
                _("Link this contact to a resident account first: the case needs an applicant.")
            )
        case = cases.start_draft(
            version=version,
            applicant=resident,
            filed_by=user,
            channel=CASE_CHANNELS[conversation.channel],
        )
        conversation.case = case
        conversation.save()
        audit.record(
            actor=user,
            action="conversation.case_filed",
            obj=conversation,
            after={"case_id": case.pk, "procedure": procedure_code},
        )
    return case


def resolve(*, conversation_id: int, user: User) -> Conversation:
    with transaction.atomic():
        conversation = _locked(conversation_id)
        _may_act(user, conversation)
        if conversation.status == Conversation.Status.RESOLVED:
            raise ActionRefused(_("This conversation is already resolved."))
        before = {"status": conversation.status}
        Conversation.STATES.move(conversation, Conversation.Status.RESOLVED)
        conversation.resolved_at = timezone.now()
        conversation.next_response_due = None
        ask = conversation.csat_requested_at is None
        if ask:
            conversation.csat_requested_at = conversation.resolved_at
            conversation.csat_token = secrets.token_urlsafe(16)[:32]
        conversation.save()
        audit.record(
            actor=user,
            action="conversation.resolved",
            obj=conversation,
            before=before,
            after={"status": conversation.status},
        )
        if ask:
            _ask_rating(conversation)
    return conversation


def _ask_rating(conversation: Conversation) -> None:
    """Once per conversation, in its own channel."""
    link = settings.SITE_URL.rstrip("/") + reverse("contact:rate", args=[conversation.csat_token])
    if conversation.channel == Channel.WHATSAPP:
        text = _(
            "How did we do? Answer with a number from 1 (bad) to 5 (very good), or rate us "
            "here: %(link)s"
        ) % {"link": link}
    else:
        text = _("How did we do? Rate our answer from 1 to 5: %(link)s") % {"link": link}
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        body=text,
        delivery=Message.Delivery.QUEUED,
        external_id=make_msgid(domain=_mail_domain())
        if conversation.channel != Channel.WHATSAPP
        else None,
    )
    outbox.enqueue(SEND, {"message_id": message.pk}, subject=message)


def rate(*, conversation: Conversation, score: int, comment: str) -> Conversation:
    if not 1 <= int(score) <= 5:
        raise ActionRefused(_("Choose a rating from 1 to 5."))
    with transaction.atomic():
        conversation = _locked(conversation.pk)
        if conversation.csat_requested_at is None:
            raise ActionRefused(_("This conversation has not been resolved yet."))
        if conversation.csat_score is not None:
            raise ActionRefused(_("You already rated this answer. Thank you!"))
        conversation.csat_score = int(score)
        conversation.csat_comment = comment.strip()[:2000]
        conversation.save(update_fields=["csat_score", "csat_comment"])
        audit.record(
            actor=None,
            action="conversation.rated",
            obj=conversation,
            after={"score": conversation.csat_score},
        )
    return conversation


# --- Sending -----------------------------------------------------------------------------


def _mail_domain() -> str:
    return directory().contact_centre.email.rpartition("@")[2] or "localhost"


def _send_email(message: Message, conversation: Conversation) -> None:
    previous = list(
        conversation.messages.filter(external_id__isnull=False)
        .exclude(pk=message.pk)
        .order_by("created_at", "id")
        .values_list("external_id", "direction")
    )
    headers = {"Message-ID": message.external_id}
    inbound = [ext for ext, direction in previous if direction == Message.Direction.IN]
    if inbound:
        # RFC 5322: In-Reply-To the resident's last message; References the thread's ids.
        headers["In-Reply-To"] = inbound[-1]
        ids = [ext for ext, _direction in previous]
        headers["References"] = " ".join([ids[0], *ids[1:][-REFERENCES_LOOKUP:]])
    subject = conversation.subject or _("Your enquiry")
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    centre = directory().contact_centre
    email = EmailMessage(
        subject=subject,
        body=message.body,
        from_email=f"{centre.name} <{centre.email}>",
        to=[conversation.contact.email or conversation.contact.user.email],
        headers=headers,
    )
    for attachment in message.attachments.filter(state=Attachment.State.STORED).order_by("pk"):
        with attachment.file.open("rb") as stored:
            email.attach(attachment.original_name, stored.read(), attachment.content_type)
    email.send()


def _stored_attachment(message: Message) -> Attachment | None:
    return message.attachments.filter(state=Attachment.State.STORED).order_by("pk").first()


def _send_whatsapp_media(provider, message: Message, attachment: Attachment) -> str:
    """Upload the file (once: a retry reuses the media id), then the media message."""
    if not attachment.media_id:
        with attachment.file.open("rb") as stored:
            content = stored.read()
        attachment.media_id = provider.upload_media(
            content=content, filename=attachment.original_name, mime_type=attachment.content_type
        )
        # A retry after an outage uploads again (this handler's writes roll back with it);
        # Meta drops unused media after 30 days.
        attachment.save(update_fields=["media_id"])
    return provider.send_media(
        to=message.conversation.contact.whatsapp_id,
        media_id=attachment.media_id,
        mime_type=attachment.content_type,
        filename=attachment.original_name,
        caption=message.body,
    )


def send(*, message_id: int) -> None:
    """Outbox handler: send one outbound message once; a provider outage raises (retried)."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation__contact__user")
        .filter(pk=message_id, delivery=Message.Delivery.QUEUED)
        .first()
    )
    if message is None:
        return  # sent already (a second delivery of the task)
    conversation = message.conversation
    contact = conversation.contact
    if conversation.channel == Channel.WHATSAPP:
        provider = channels.whatsapp()
        try:
            if message.template_name:
                external = provider.send_template(
                    to=contact.whatsapp_id,
                    name=message.template_name,
                    parameters=[contact.name or ""] if contact.name else [],
                )
            elif attachment := _stored_attachment(message):
                external = _send_whatsapp_media(provider, message, attachment)
            else:
                external = provider.send_text(to=contact.whatsapp_id, body=message.body)
        except WhatsAppError as exc:
            if not exc.permanent:
                raise
            message.delivery = Message.Delivery.FAILED
            message.delivery_error = str(exc)[:500]
            message.save(update_fields=["delivery", "delivery_error"])
            return
        message.external_id = external
    elif conversation.channel == Channel.WEB and contact.user_id:
        pass  # the resident reads it on "Mis consultas"
    else:
        _send_email(message, conversation)
    message.delivery = Message.Delivery.SENT
    message.delivery_error = ""
    message.save(update_fields=["delivery", "delivery_error", "external_id"])


def send_failed(*, message_id: int, error: str) -> None:
    Message.objects.filter(pk=message_id, delivery=Message.Delivery.QUEUED).update(
        delivery_error=(_("Not sent yet, it will be retried: %(error)s") % {"error": error})[:500]
    )


STATUS_ORDER = {
    Message.Delivery.SENT: 1,
    Message.Delivery.DELIVERED: 2,
    Message.Delivery.READ: 3,
    Message.Delivery.FAILED: 4,
}


def record_status(*, wamid: str, status: str, error: str = "") -> bool:
    """A WhatsApp status for one of our messages; False for a message we never sent."""
    if status not in STATUS_ORDER:
        return False
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(external_id=wamid, direction=Message.Direction.OUT)
            .first()
        )
        if message is None:
            log.info("WhatsApp status %s for unknown message %s", status, wamid)
            return False
        # Statuses come out of order and repeated ("read" may skip "delivered"): never go back.
        if STATUS_ORDER.get(message.delivery, 0) >= STATUS_ORDER[status]:
            return True
        message.delivery = status
        if error:
            message.delivery_error = error[:500]
        message.save(update_fields=["delivery", "delivery_error"])
    return True


# --- Web channel ----------------------------------------------------------------------------


def write_from_portal(
    *,
    user: User,
    text: str,
    conversation: Conversation | None = None,
    subject: str = "",
    uploads: tuple[UploadedFile, ...] = (),
) -> Message:
    if not text.strip():
        raise ActionRefused(_("Write your message."))
    contact = user_contact(user)
    if conversation is not None and conversation.contact.user_id != user.pk:
        raise ActionRefused(_("This conversation is not yours."))
    with transaction.atomic():
        if conversation is not None:
            conversation = _locked(conversation.pk)
            if conversation.status == Conversation.Status.RESOLVED:
                Conversation.STATES.move(conversation, Conversation.Status.OPEN)
                conversation.resolved_at = None
                conversation.save()
            message = _store_inbound(
                conversation,
                Inbound(
                    channel=conversation.channel,
                    contact=contact,
                    text=text.strip(),
                    uploads=uploads,
                ),
                timezone.now(),
            )
        else:
            message = _store_inbound(
                None,
                Inbound(
                    channel=Channel.WEB,
                    contact=contact,
                    text=text.strip(),
                    subject=subject,
                    uploads=uploads,
                ),
                timezone.now(),
            )
    return message


def contact_form(*, name: str, email: str, subject: str, text: str) -> Message:
    contact = email_contact(email, name)
    with transaction.atomic():
        return _store_inbound(
            None,
            Inbound(
                channel=Channel.WEB,
                contact=contact,
                text=text.strip(),
                subject=subject,
                tags=("formulario",),
            ),
            timezone.now(),
        )


# --- Service levels ----------------------------------------------------------------------

SLA_ALERT = "contact.sla_alert"


def alert_breaches() -> int:
    """Beat: flag conversations about to miss (or missing) their service level, once each."""
    now = timezone.now()
    flagged = 0
    candidates = (
        Conversation.objects.filter(status=Conversation.Status.OPEN, breach_alerted_at__isnull=True)
        .select_related("team")
        .prefetch_related("team__sla_policies")
    )
    for conversation in candidates.iterator(chunk_size=500):
        due = conversation.due
        if due is None or due - sla.warn_before(conversation) > now:
            continue
        with transaction.atomic():
            updated = Conversation.objects.filter(
                pk=conversation.pk, breach_alerted_at__isnull=True
            ).update(breach_alerted_at=now, breached=due <= now)
            if updated:
                outbox.enqueue(
                    SLA_ALERT, {"conversation_id": conversation.pk}, subject=conversation
                )
                flagged += 1
    return flagged


def send_sla_alert(*, conversation_id: int) -> None:
    conversation = Conversation.objects.select_related("team").get(pk=conversation_id)
    supervisors = list(
        Membership.objects.filter(team=conversation.team, supervisor=True).values_list(
            "user__email", flat=True
        )
    )
    if not supervisors:
        return
    url = settings.SITE_URL.rstrip("/") + reverse(
        "contact_staff:conversation", args=[conversation.pk]
    )
    EmailMessage(
        subject=_("Service level at risk: conversation #%(id)s") % {"id": conversation.pk},
        body=_("Conversation #%(id)s of %(team)s is due %(due)s and has no answer yet.\n%(url)s")
        % {
            "id": conversation.pk,
            "team": conversation.team.name,
            "due": timezone.localtime(conversation.due).strftime("%d/%m/%Y %H:%M")
            if conversation.due
            else "-",
            "url": url,
        },
        to=supervisors,
    ).send()


def register_handlers() -> None:
    outbox.register(SEND, send, on_failure=send_failed)
    outbox.register(FETCH_MEDIA, fetch_media)
    outbox.register(SLA_ALERT, send_sla_alert)
