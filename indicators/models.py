"""Daily aggregates of the case figures, and what people enter for them (satisfaction, costs).

Pages read ``CaseDay`` rows, never the cases. One row per local day (America/
Argentina/Buenos_Aires), procedure type, department, channel and office (only cases filed
at a counter have one; every other row has it empty); a day's rows are
always rewritten together (``services.aggregate_day``), so they are all of one run.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseDay(models.Model):
    day = models.DateField(_("day"))
    procedure = models.CharField(_("procedure type"), max_length=80)
    department = models.CharField(_("department"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10)
    # The office of a case filed at a counter (core/data/offices.yaml code); empty otherwise.
    office = models.CharField(_("office"), max_length=60, blank=True, default="")
    # Flows of the day.
    received = models.PositiveIntegerField(pgettext_lazy("cases", "received"), default=0)
    resolved = models.PositiveIntegerField(pgettext_lazy("cases", "resolved"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    resolved_late = models.PositiveIntegerField(_("resolved late"), default=0)
    resolved_very_late = models.PositiveIntegerField(
        _("resolved in more than three times the deadline"), default=0
    )
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    # How many cases resolved that day took each whole number of business days (pauses
    # left out; figures.days_histogram): medians and p90s cannot be added up across rows,
    # these counts can, and give the exact median and p90 of any period.
    resolution_histogram = models.JSONField(_("business days to resolve"), default=dict)
    drafts_started = models.PositiveIntegerField(_("drafts started"), default=0)
    drafts_submitted = models.PositiveIntegerField(_("of those, submitted since"), default=0)
    satisfaction_answers = models.PositiveIntegerField(_("satisfaction answers"), default=0)
    satisfaction_total = models.PositiveIntegerField(_("sum of the scores"), default=0)
    satisfied = models.PositiveIntegerField(_("answers of 4 or 5"), default=0)
    # The backlog at the end of the day.
    open_0_30 = models.PositiveIntegerField(_("open 0 to 30 days"), default=0)
    open_31_60 = models.PositiveIntegerField(_("open 31 to 60 days"), default=0)
    open_over_60 = models.PositiveIntegerField(_("open over 60 days"), default=0)
    overdue = models.PositiveIntegerField(pgettext_lazy("cases", "overdue"), default=0)

    class Meta:
        verbose_name = _("day of case figures")
        verbose_name_plural = _("days of case figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "procedure", "department", "channel", "office"],
                name="one_case_day_row",
            )
        ]
        indexes = [models.Index(fields=["department", "day"])]
        permissions = [
            ("view_department_indicators", _("Can see the indicators of their departments")),
            ("view_city_indicators", _("Can see the indicators of every department")),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.procedure} {self.channel}"


class CaseMonth(models.Model):
    """The flows of a month: the sums of its ``CaseDay`` rows with the same keys.

    Pages read these for the whole months of a range and the day rows only for the days
    at its edges (a year is a few thousand rows instead of some 65,000 at a million
    cases). Written only by ``services.aggregates.roll_up_month`` after the month's days,
    so they always equal the sums of the day rows. The backlog is a day's state, not a
    flow: it is not rolled up."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    procedure = models.CharField(_("procedure type"), max_length=80)
    department = models.CharField(_("department"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10)
    office = models.CharField(_("office"), max_length=60, blank=True, default="")
    received = models.PositiveIntegerField(pgettext_lazy("cases", "received"), default=0)
    resolved = models.PositiveIntegerField(pgettext_lazy("cases", "resolved"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    resolved_late = models.PositiveIntegerField(_("resolved late"), default=0)
    resolved_very_late = models.PositiveIntegerField(
        _("resolved in more than three times the deadline"), default=0
    )
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    resolution_histogram = models.JSONField(_("business days to resolve"), default=dict)
    drafts_started = models.PositiveIntegerField(_("drafts started"), default=0)
    drafts_submitted = models.PositiveIntegerField(_("of those, submitted since"), default=0)
    satisfaction_answers = models.PositiveIntegerField(_("satisfaction answers"), default=0)
    satisfaction_total = models.PositiveIntegerField(_("sum of the scores"), default=0)
    satisfied = models.PositiveIntegerField(_("answers of 4 or 5"), default=0)

    class Meta:
        verbose_name = _("month of case figures")
        verbose_name_plural = _("months of case figures")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "procedure", "department", "channel", "office"],
                name="one_case_month_row",
            )
        ]
        indexes = [models.Index(fields=["department", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.procedure} {self.channel}"


class AggregationState(models.Model):
    """Up to when the incremental task has read the changes (one row per aggregate)."""

    name = models.CharField(max_length=40, unique=True)
    read_until = models.DateTimeField()

    class Meta:
        verbose_name = _("aggregation state")
        verbose_name_plural = _("aggregation states")

    def __str__(self) -> str:
        return f"{self.name} {self.read_until:%Y-%m-%d %H:%M}"


class SatisfactionAnswer(models.Model):
    class Moment(models.TextChoices):
        SUBMITTED = "submitted", _("After submitting")
        RESULT = "result", _("After the result")

    case = models.ForeignKey(
        "procedures.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    moment = models.CharField(_("when"), max_length=10, choices=Moment.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    answered_at = models.DateTimeField(
        pgettext_lazy("satisfaction answer", "answered"), auto_now_add=True
    )

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        constraints = [
            models.UniqueConstraint(fields=["case", "moment"], name="one_answer_per_moment"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="score_from_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["answered_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.moment} {self.score}"


class ChannelCost(models.Model):
    """What a channel cost in a month, as a manager entered it (ARS)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    channel = models.CharField(_("channel"), max_length=10)
    amount = models.DecimalField(_("cost (ARS)"), max_digits=14, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        ordering = ["-month", "channel"]
        verbose_name = _("channel cost")
        verbose_name_plural = _("channel costs")
        constraints = [
            models.UniqueConstraint(fields=["month", "channel"], name="one_cost_per_month_channel"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel} {self.amount}"


class BacklogEmail(models.Model):
    """A weekly backlog e-mail sent to a department: sent once per week whatever happens."""

    department = models.CharField(max_length=50)
    week = models.DateField(help_text="The Monday of the week.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "week"], name="one_backlog_email_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.week}"
