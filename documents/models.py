from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import StateMachine

# Unambiguous when read aloud or typed from paper: no 0/O, 1/I/L, U/V.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 12  # 29^12 ≈ 2^58: not guessable, even before the page's rate limit
CODE_GROUP = 4


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed (any case, spaces, hyphens) as a stored code; "" if it cannot be one."""
    code = "".join(c for c in text.upper() if c.isalnum())
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return ""
    return code


def format_code(code: str) -> str:
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


class SignedDocument(models.Model):
    """A signed PDF about a subject (a case, a payment order...), from the request to sign it
    until it is revoked.

    The subject is any model of a higher app, named by its label and primary key: this app
    knows nothing of what it is. The app that owns the subject gives the template and the
    facts the document states, and hears what happens to it through ``documents.hooks``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being signed")
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    class Signer(models.TextChoices):
        SEAL = "seal", _("Municipal seal")
        OFFICIAL = "official", _("Official")

    CURRENT_STATUSES = (Status.PENDING, Status.ISSUED)
    STATES = StateMachine(
        {
            Status.PENDING: {Status.ISSUED},
            Status.ISSUED: {Status.REVOKED, Status.SUPERSEDED},
            Status.REVOKED: set(),
            Status.SUPERSEDED: set(),
        }
    )

    subject_type = models.CharField(
        _("about (type)"), max_length=100, help_text=_("The subject's model, e.g. procedures.case.")
    )
    subject_id = models.CharField(_("about (id)"), max_length=64)
    subject_label = models.CharField(
        _("about"),
        max_length=300,
        blank=True,
        help_text=_("How the document names its subject, e.g. the case's reference."),
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(
        _("key"),
        max_length=64,
        blank=True,
        help_text=_("Tells apart several documents of one kind about one subject, e.g. payments."),
    )
    template = models.CharField(_("template"), max_length=200)
    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    signer = models.CharField(_("signed with"), max_length=10, choices=Signer.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing official"),
    )
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)
    signer_role = models.CharField(_("signer's role"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=300)
    # What the document states, fixed when it is requested: a re-run signs the same text.
    facts = models.JSONField(_("contents"), default=dict, blank=True)
    file = models.FileField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True, db_index=True)
    issued_sha256 = models.CharField(
        _("SHA-256 of the file as issued"), max_length=64, blank=True, db_index=True
    )
    level = models.CharField(_("PAdES level"), max_length=8, blank=True)
    timestamped_at = models.DateTimeField(_("timestamp (TSA)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("signing attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    extended_at = models.DateTimeField(_("long-term validation added"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("superseded by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")
        permissions = [("revoke_signeddocument", _("Can revoke or re-issue signed documents"))]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "key"],
                condition=models.Q(status__in=["pending", "issued"]),
                name="one_current_document_per_subject_kind_key",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["subject_type", "subject_id"], name="document_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.display_code}"

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def has_file(self) -> bool:
        return bool(self.file) and self.status != self.Status.PENDING


class OfficialSigningKey(models.Model):
    """Where an official's personal signing key is: the token and the key's label on it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signing_key",
        verbose_name=_("official"),
        limit_choices_to={"role": "employee"},
    )
    role = models.CharField(
        _("role"), max_length=200, help_text=_("Printed under the name on signed resolutions.")
    )
    token_label = models.CharField(
        _("token label"),
        max_length=64,
        blank=True,
        help_text=_("The official's PKCS#11 token (not used with PKCS#12 key files)."),
    )
    key_label = models.CharField(
        _("key label"),
        max_length=64,
        help_text=_(
            "Label of the private key and its certificate on the token, or the key file's name."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    # Wrong PINs typed since the last signature (or lock); too many lock signing for a while.
    failed_pin_attempts = models.PositiveSmallIntegerField(_("wrong PINs in a row"), default=0)
    locked_until = models.DateTimeField(_("signing locked until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("official's signing key")
        verbose_name_plural = _("officials' signing keys")

    def __str__(self) -> str:
        return f"{self.user} ({self.key_label})"
