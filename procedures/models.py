from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from core.states import StateMachine


def _localized(texts: dict[str, str], language: str | None = None) -> str:
    language = (language or get_language() or "es")[:2]
    return texts.get(language) or texts.get("es", "")


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    names = models.JSONField(_("names"), help_text=_("Name per language: es, en, it."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localized(self.names)


class ProcedureType(models.Model):
    """A kind of procedure. Its content lives in versions; cases pin one version."""

    class Audience(models.TextChoices):
        RESIDENT = "resident", _("Residents")
        INTERNAL = "internal", _("Internal (employees)")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="procedure_types",
        verbose_name=_("category"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure type")
        verbose_name_plural = _("procedure types")
        permissions = [("publish_procedureversion", _("Can publish procedure versions"))]

    def __str__(self) -> str:
        return self.code


class ProcedureVersion(models.Model):
    """One immutable-once-published definition of a procedure type."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    class FeeKind(models.TextChoices):
        NONE = "none", _("No fee")
        FIXED = "fixed", _("Fixed fee")
        COMPUTED = "computed", _("Depends on the answers")

    procedure_type = models.ForeignKey(
        ProcedureType,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("procedure type"),
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    definition = models.JSONField(_("definition"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    # Copied out of the definition for listing, filtering and search.
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_it = models.CharField(_("name (Italian)"), max_length=200)
    search_text = models.TextField(_("search text"), blank=True)
    fee_kind = models.CharField(_("fee"), max_length=10, choices=FeeKind.choices)
    fee_amount = models.DecimalField(
        _("fee amount (ARS)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deadline_business_days = models.PositiveSmallIntegerField(_("deadline (business days)"))
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["procedure_type__code", "-number"]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_type", "number"], name="unique_version_number"
            ),
            models.UniqueConstraint(
                fields=["procedure_type"],
                condition=models.Q(status="published"),
                name="one_published_version_per_type",
            ),
        ]
        indexes = [models.Index(fields=["status", "procedure_type"])]

    def __str__(self) -> str:
        return f"{self.procedure_type.code} v{self.number} ({self.get_status_display()})"

    @property
    def name(self) -> str:
        language = (get_language() or "es")[:2]
        return {"en": self.name_en, "it": self.name_it}.get(language) or self.name_es

    def text(self, key: str) -> str:
        value = self.definition.get(key) or {}
        return _localized(value) if isinstance(value, dict) else str(value)

    @property
    def steps(self) -> list[dict]:
        return self.definition["review_steps"]


class Case(models.Model):
    """A resident's (or an employee's) filing of one procedure version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PAYMENT_PENDING = "fee_pending", _("Payment pending")
        SUBMITTED = "submitted", _("Under review")
        CORRECTION = "correction", _("Correction requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        COUNTER = "counter", _("At a counter")
        PHONE = "phone", _("By phone")
        INTERNAL = "internal", _("Internal")
        WHATSAPP = "whatsapp", _("By WhatsApp")
        EMAIL = "email", _("By e-mail")
        OPEN311 = "open311", _("Through another app (Open311)")

    STATES = StateMachine(
        {
            Status.DRAFT: {Status.SUBMITTED, Status.PAYMENT_PENDING},
            # The fee is paid on filing: review starts, and the deadline runs, once it is paid.
            Status.PAYMENT_PENDING: {Status.SUBMITTED, Status.WITHDRAWN},
            Status.SUBMITTED: {
                Status.CORRECTION,
                Status.APPROVED,
                Status.REJECTED,
                Status.WITHDRAWN,
            },
            Status.CORRECTION: {Status.SUBMITTED, Status.WITHDRAWN},
            Status.APPROVED: set(),
            Status.REJECTED: set(),
            Status.WITHDRAWN: set(),
        }
    )
    OPEN_STATUSES = (Status.PAYMENT_PENDING, Status.SUBMITTED, Status.CORRECTION)
    CLOSED_STATUSES = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)

    reference = models.CharField(_("reference"), max_length=24, unique=True, null=True, blank=True)
    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("procedure version"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("applicant"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # Where a case filed at a counter was filed (a code of core/data/offices.yaml): the
    # service-level figures per office. Empty for every other channel.
    office_code = models.SlugField(_("office"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    form_section = models.PositiveSmallIntegerField(_("form section reached"), default=0)
    current_step = models.PositiveSmallIntegerField(_("review step"), default=0)
    current_department = models.CharField(_("department acting"), max_length=50, blank=True)
    fee_amount = models.DecimalField(
        _("fee (ARS)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    correction_message = models.TextField(_("correction requested"), blank=True)
    correction_fields = models.JSONField(_("fields to correct"), default=list, blank=True)
    paused_since = models.DateField(_("deadline paused since"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    # When its open review task was created (that task's `created`), kept here so a
    # department's queue sorts by due date and then by it within one index (signals.py).
    queued_at = models.DateTimeField(_("waiting in the queue since"), null=True, blank=True)
    # Who holds its open review task (that task's owner while assigned), kept here so an
    # employee's inbox sorts by due date within one index, as a queue does (signals.py).
    # No index of its own: a case has one only while submitted, all in the inbox's index.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("Assigned to"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    process = models.OneToOneField(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("workflow process"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["status", "due_date"]),
            # Listings by filing date (Open311 GET requests over a million claims).
            models.Index(fields=["submitted_at"], name="case_submitted_at_idx"),
            # The day's resolutions for the daily service-level figures (indicators).
            models.Index(fields=["resolved_at"], name="case_resolved_at_idx"),
            # A department's queue in its order (selectors.staff_tasks): a page reads
            # 25 entries, not every task sharing the page's due dates.
            models.Index(
                fields=["current_department", "due_date", "queued_at"],
                condition=models.Q(status="submitted"),
                name="case_department_queue_order",
            ),
            # An employee's inbox in its order, likewise: only the claimed cases.
            models.Index(
                fields=["assignee", "due_date", "queued_at"],
                condition=models.Q(status="submitted", assignee__isnull=False),
                name="case_assignee_inbox_order",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft #%(id)s") % {"id": self.pk}

    @property
    def definition(self) -> dict:
        return self.version.definition

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def output(self):
        """The signed document the case produced (documents.SignedDocument), or None yet."""
        from .selectors import case_output

        return case_output(self)

    @property
    def current_step_definition(self) -> dict | None:
        steps = self.version.steps
        return steps[self.current_step] if self.current_step < len(steps) else None


# A task's case, joined on the process they share (task.process_id = case.process_id)
# rather than through viewflow's process table: the queue's query, one join shorter, is
# planned in half the time (docs/performance.md). Private, as a GenericRelation is: no
# column, and nothing in viewflow's table or migrations.
models.ForeignObject(
    Case,
    on_delete=models.DO_NOTHING,
    from_fields=["process"],
    to_fields=["process"],
    null=True,
    related_name="+",
).contribute_to_class(Task, "case", private_only=True)


def document_upload_path(instance: CaseDocument, filename: str) -> str:
    # Random name: the original file name is kept in the row, never in storage keys.
    return f"cases/{instance.case_id}/{instance.token}"


class StoredCaseFile(models.Model):
    """A file of a case in storage, as checked on upload: a case's document, or one kept for
    a correction (which becomes a document, same stored file, when the corrections are sent)."""

    slot = models.CharField(_("document or field"), max_length=60)
    token = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=document_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class CaseDocument(StoredCaseFile):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case")
    )
    replaced = models.BooleanField(_("replaced by a newer file"), default=False)

    class Meta:
        ordering = ["slot", "-uploaded_at"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "slot"],
                condition=models.Q(replaced=False),
                name="one_current_document_per_slot",
            )
        ]


class PendingCorrectionFile(StoredCaseFile):
    """A file the resident attached on the correction page that passed its checks while
    something else on the page did not: kept so they need not choose it again, and attached
    to the case (as a ``CaseDocument``, same stored file) only when the corrections are sent.
    Employees never see it before then."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="pending_files", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("file kept for a correction")
        verbose_name_plural = _("files kept for a correction")
        constraints = [
            models.UniqueConstraint(fields=["case", "slot"], name="one_pending_file_per_slot")
        ]


class CaseEvent(models.Model):
    """The case's timeline, as the resident and the employees see it."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ASSISTED = "assisted", _("Filed at the municipality on your behalf")
        STEP_APPROVED = "step_approved", _("Step approved")
        CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
        RESUBMITTED = "resubmitted", _("Corrections submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NOTE = "note", _("Internal note")
        OUTPUT_READY = "output_ready", _("Document ready")
        PAYMENT_RECEIVED = "payment_received", _("Payment received")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    message = models.TextField(_("message"), blank=True)
    public = models.BooleanField(_("visible to the applicant"), default=True)
    step_name = models.CharField(_("step"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"


def output_upload_path(instance, filename: str) -> str:
    # Referenced by migration 0001 (the former CaseOutput); outputs are now documents.SignedDocument.
    return f"outputs/{instance.case_id}/{instance.token}.pdf"
