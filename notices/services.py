"""Publishing, updating and closing notices; following them; e-mailing followers.

Every change runs in one transaction with its audit record and queues the
followers' e-mail in the outbox, so a rolled-back change sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core import audit, outbox
from core.errors import ActionRefused
from procedures.models import ProcedureType

from . import selectors
from .models import Area, Follow, Notice, NoticeEmail, NoticeUpdate


def _check_member(actor: User, department: Department) -> None:
    if not actor.groups.filter(pk=department.group_id).exists():
        raise ActionRefused(
            _("Only staff of %(department)s can do this.") % {"department": department}
        )


def _locked(notice: Notice) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not notice.is_active():
        raise ActionRefused(_("This notice is already closed."))
    return notice


def publish(
    *,
    actor: User,
    department: Department,
    service: str,
    title: str,
    description: str,
    what_to_do: str = "",
    starts_at: datetime,
    ends_at: datetime | None = None,
    areas: Iterable[Area] = (),
    procedure_types: Iterable[ProcedureType] = (),
) -> Notice:
    _check_member(actor, department)
    if ends_at is not None and ends_at <= starts_at:
        raise ActionRefused(_("The expected end must be after the start."))
    with transaction.atomic():
        notice = Notice.objects.create(
            department=department,
            service=service,
            title=title,
            description=description,
            what_to_do=what_to_do,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
        )
        notice.areas.set(areas)
        notice.procedure_types.set(procedure_types)
        audit.record(
            actor=actor,
            action="notice.published",
            obj=notice,
            after={
                "service": service,
                "title": title,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat() if ends_at else None,
                "areas": sorted(a.code for a in notice.areas.all()),
            },
        )
        outbox.enqueue(
            "notices.email_followers",
            {"notice_id": notice.pk, "event": "published"},
            subject=notice,
        )
    return notice


def add_update(
    *, notice: Notice, actor: User, text: str, ends_at: datetime | None = None
) -> NoticeUpdate:
    """A new piece of news on a notice in force; optionally a new expected end."""
    _check_member(actor, notice.department)
    with transaction.atomic():
        notice = _locked(notice)
        before = {"ends_at": notice.ends_at.isoformat() if notice.ends_at else None}
        if ends_at is not None:
            if ends_at <= notice.starts_at:
                raise ActionRefused(_("The expected end must be after the start."))
            notice.ends_at = ends_at
            notice.save(update_fields=["ends_at", "updated_at"])
        update = NoticeUpdate.objects.create(notice=notice, text=text, author=actor)
        audit.record(
            actor=actor,
            action="notice.updated",
            obj=notice,
            before=before,
            after={
                "update": text,
                "ends_at": notice.ends_at.isoformat() if notice.ends_at else None,
            },
        )
        outbox.enqueue(
            "notices.email_followers",
            {"notice_id": notice.pk, "event": f"update-{update.pk}"},
            subject=notice,
        )
    return update


def close(*, notice: Notice, actor: User, note: str = "") -> Notice:
    _check_member(actor, notice.department)
    with transaction.atomic():
        notice = _locked(notice)
        notice.closed_at = timezone.now()
        notice.closing_note = note
        notice.save(update_fields=["closed_at", "closing_note", "updated_at"])
        audit.record(
            actor=actor,
            action="notice.closed",
            obj=notice,
            after={"closed_at": notice.closed_at.isoformat(), "note": note},
        )
        outbox.enqueue(
            "notices.email_followers", {"notice_id": notice.pk, "event": "closed"}, subject=notice
        )
    return notice


def close_expired(now: datetime | None = None) -> int:
    """Record as closed, at their end time, the notices whose end has passed."""
    now = now or timezone.now()
    closed = 0
    ids = Notice.objects.filter(closed_at__isnull=True, ends_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(ids):
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update().filter(pk=pk, closed_at__isnull=True).first()
            )
            if notice is None or notice.ends_at is None or notice.ends_at > now:
                continue
            notice.closed_at = notice.ends_at
            notice.save(update_fields=["closed_at", "updated_at"])
            audit.record(
                actor=None,
                action="notice.expired",
                obj=notice,
                after={"closed_at": notice.closed_at.isoformat()},
            )
            closed += 1
    return closed


def set_follows(*, user: User, services: Iterable[str], areas: Iterable[Area]) -> None:
    valid = set(Notice.Service.values)
    with transaction.atomic():
        Follow.objects.filter(user=user).delete()
        Follow.objects.bulk_create(
            [Follow(user=user, service=s) for s in sorted(set(services)) if s in valid]
            + [Follow(user=user, area=a) for a in areas]
        )


SUBJECTS = {
    "published": "Aviso: {title}",
    "update": "Novedades del aviso: {title}",
    "closed": "Terminó: {title}",
}


def email_followers(*, notice_id: int, event: str) -> int:
    """Outbox handler: one e-mail per follower and event; recipients already sent are skipped,
    so a retried item does not repeat e-mails."""
    notice = selectors.public_notice(notice_id)
    if notice is None:
        return 0
    kind = "update" if event.startswith("update-") else event
    update = None
    if kind == "update":
        update = NoticeUpdate.objects.filter(pk=int(event.split("-", 1)[1])).first()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "notice": notice,
            "update": update,
            "kind": kind,
            "notice_url": settings.SITE_URL + reverse("notices:detail", args=[notice.pk]),
            "follow_url": settings.SITE_URL + reverse("notices:follow"),
            "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        }
        body = render_to_string("notices/email/notice.txt", context)
        subject = SUBJECTS[kind].format(title=notice.title)
        for user in selectors.followers(notice):
            try:
                with transaction.atomic():
                    NoticeEmail.objects.create(notice=notice, user=user, event=event)
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            except IntegrityError:
                continue  # already sent by an earlier run of this item
            sent += 1
    return sent
