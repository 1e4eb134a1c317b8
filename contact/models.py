"""The contact centre: teams, contacts, conversations in every written channel, their SLAs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.states import StateMachine


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")


class Team(models.Model):
    """A queue of agents: a department, or a contact-centre group."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Conversations about this department's open cases come here."),
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated words that route a new conversation here."),
    )
    menu_option = models.CharField(
        _("menu option"),
        max_length=20,
        blank=True,
        help_text=_("What a resident answers to the channel's menu (e.g. “2”) to come here."),
    )
    channels = models.JSONField(_("channels routed here by default"), default=list, blank=True)
    hours = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        help_text=_('Like {"mon-fri": ["08:00-14:00"]}; empty: the contact centre\'s hours.'),
    )
    auto_assign = models.BooleanField(
        _("assign new conversations round-robin"),
        default=False,
        help_text=_("Among the members on duty; otherwise agents claim from the queue."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="contact_teams",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in self.keywords.split(",") if word.strip()]


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("agent")
    )
    supervisor = models.BooleanField(_("supervisor"), default=False)
    on_duty = models.BooleanField(_("on duty"), default=True)
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="contact_one_membership")
        ]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.team}"


class Contact(models.Model):
    """Who writes: matched to a resident account when possible, else linked later by an agent."""

    name = models.CharField(_("name"), max_length=150, blank=True)
    whatsapp_id = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_identities",
        verbose_name=_("resident account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["whatsapp_id"], condition=~Q(whatsapp_id=""), name="contact_unique_wa"
            ),
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="contact_unique_email"
            ),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or self.email or self.whatsapp_id or f"#{self.pk}"


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("conversation", "Open")
        WAITING = "waiting", _("Waiting for the resident")
        RESOLVED = "resolved", pgettext_lazy("conversation", "Resolved")

    class Priority(models.IntegerChoices):
        LOW = 0, _("Low")
        NORMAL = 1, _("Normal")
        HIGH = 2, _("High")
        URGENT = 3, _("Urgent")

    STATES = StateMachine(
        {
            Status.OPEN: {Status.WAITING, Status.RESOLVED},
            Status.WAITING: {Status.OPEN, Status.RESOLVED},
            Status.RESOLVED: {Status.OPEN},
        }
    )

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("contact")
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    case = models.ForeignKey(
        "procedures.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    last_inbound_at = models.DateTimeField(_("last message from the resident"), null=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    breached = models.BooleanField(_("service level missed"), default=False)
    breach_alerted_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(_("waiting for the resident since"), null=True)
    resolved_at = models.DateTimeField(
        pgettext_lazy("conversation", "resolved"), null=True, blank=True
    )
    csat_token = models.CharField(max_length=32, blank=True, db_index=True)
    csat_requested_at = models.DateTimeField(_("rating asked"), null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(_("rating (1-5)"), null=True, blank=True)
    csat_comment = models.TextField(_("rating comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status", "first_response_due"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["contact", "channel", "status"]),
        ]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject or self.contact}"

    @property
    def due(self):
        """The next service-level due time (what the queue sorts by); none while waiting."""
        if self.status != self.Status.OPEN:
            return None
        if self.first_response_at is None:
            return self.first_response_due or self.resolution_due
        return self.next_response_due or self.resolution_due

    @property
    def whatsapp_window_open(self) -> bool:
        """Meta's customer-service window: free text only 24 h after the resident's last message."""
        return bool(
            self.last_inbound_at and timezone.now() - self.last_inbound_at < timedelta(hours=24)
        )


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("From the resident")
        OUT = "out", _("To the resident")
        NOTE = "note", _("Internal note")

    class Delivery(models.TextChoices):
        # A message (masculine in Spanish): its own context, apart from other apps' "Sent".
        RECEIVED = "received", pgettext_lazy("message delivery", "Received")
        QUEUED = "queued", pgettext_lazy("message delivery", "Queued")
        SENT = "sent", pgettext_lazy("message delivery", "Sent")
        DELIVERED = "delivered", pgettext_lazy("message delivery", "Delivered")
        READ = "read", pgettext_lazy("message delivery", "Read")
        FAILED = "failed", pgettext_lazy("message delivery", "Failed")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    body = models.TextField(_("text"), blank=True)
    template_name = models.CharField(_("template"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    external_id = models.CharField(
        _("provider id"),
        max_length=250,
        null=True,
        blank=True,
        help_text=_("WhatsApp message id or e-mail Message-ID."),
    )
    reply_to_external_id = models.CharField(max_length=250, blank=True)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.RECEIVED
    )
    delivery_error = models.CharField(_("delivery error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(external_id__isnull=False),
                name="contact_message_unique_external_id",
            )
        ]
        indexes = [models.Index(fields=["conversation", "created_at"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:50]}"


def attachment_upload_path(instance: Attachment, filename: str) -> str:
    # Random name: the original file name is kept in the row, never in storage keys.
    return f"contact/{instance.message.conversation_id}/{instance.token}"


class Attachment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Being downloaded")
        STORED = "stored", _("Stored")
        REFUSED = "refused", _("Refused")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(upload_to=attachment_upload_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    media_id = models.CharField(_("provider media id"), max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.STORED)
    refusal = models.CharField(_("why it was refused"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("team"),
        help_text=_("Empty: every team may use it."),
    )
    whatsapp_template = models.CharField(
        _("approved WhatsApp template"),
        max_length=100,
        blank=True,
        help_text=_("The name Meta approved; it may be sent outside the 24-hour window."),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class SlaPolicy(models.Model):
    """Targets in business minutes (the team's opening hours, Argentine holidays)."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="sla_policies", verbose_name=_("team")
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: every channel."),
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    warn_minutes = models.PositiveIntegerField(
        _("warn this many minutes before a breach"), default=30
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "channel"], name="contact_one_policy")
        ]
        verbose_name = _("service level policy")
        verbose_name_plural = _("service level policies")

    def __str__(self) -> str:
        return f"{self.team} · {self.get_channel_display() or '*'}"


class DailyContactFigures(models.Model):
    """One team's figures for one channel and day (local date); recomputed idempotently."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    conversations = models.PositiveIntegerField(_("new conversations"), default=0)
    messages_in = models.PositiveIntegerField(_("messages received"), default=0)
    resolved = models.PositiveIntegerField(pgettext_lazy("conversations", "resolved"), default=0)
    first_response_median_s = models.PositiveIntegerField(null=True, blank=True)
    first_response_p90_s = models.PositiveIntegerField(null=True, blank=True)
    resolution_median_s = models.PositiveIntegerField(null=True, blank=True)
    within_sla = models.PositiveIntegerField(_("answered within the service level"), default=0)
    answered = models.PositiveIntegerField(pgettext_lazy("conversations", "answered"), default=0)
    csat_responses = models.PositiveIntegerField(_("ratings"), default=0)
    csat_satisfied = models.PositiveIntegerField(_("ratings of 4 or 5"), default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "team", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["day", "team", "channel"], name="contact_one_figure")
        ]
        verbose_name = _("daily contact figures")
        verbose_name_plural = _("daily contact figures")

    def __str__(self) -> str:
        return f"{self.day} {self.team_id} {self.channel}"

    @property
    def within_sla_percent(self) -> float | None:
        return round(100 * self.within_sla / self.answered, 1) if self.answered else None

    @property
    def csat_percent(self) -> float | None:
        return (
            round(100 * self.csat_satisfied / self.csat_responses, 1)
            if self.csat_responses
            else None
        )
