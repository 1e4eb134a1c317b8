from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One state change: who did what to which object, with the data before and after.

    Written by ``core.audit.record`` inside the same transaction as the change,
    so an event exists exactly when the change was committed.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept as text so the trail stays readable after an account is deleted.
    actor_label = models.CharField(_("who (as recorded)"), max_length=254)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class OutboxItem(models.Model):
    """Work to do after a commit, written in the transaction of the change (``core.outbox``)."""

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # What the work is about, for operators looking for it (an audit-style "type" and id).
    subject_type = models.CharField(_("about (type)"), max_length=100, blank=True)
    subject_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("last dispatched"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("work after commit")
        verbose_name_plural = _("work after commit")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(done_at__isnull=True),
                name="outbox_undone",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="outbox_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
