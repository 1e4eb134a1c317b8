"""Warnings for department heads: cases about to breach, and the weekly backlog e-mail."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Department, User
from core import outbox

from ..models import BacklogEmail
from ..selectors import BACKLOG, Filters, backlog, breaching_soon

BREACH_HORIZON_BUSINESS_DAYS = 3


def department_heads(department: Department) -> list[User]:
    """Members of the department who may see its indicators."""
    members = User.objects.filter(groups=department.group, is_active=True).order_by("email")
    return [user for user in members if user.has_perm("indicators.view_department_indicators")]


def schedule_weekly_backlog(today: date) -> int:
    """Queue this week's backlog e-mail of every department (sent once per week)."""
    week = today - timedelta(days=today.weekday())
    queued = 0
    with transaction.atomic():
        for code in Department.objects.order_by("code").values_list("code", flat=True):
            if not BacklogEmail.objects.filter(department=code, week=week).exists():
                outbox.enqueue(
                    "indicators.backlog_email", {"department": code, "week": week.isoformat()}
                )
                queued += 1
    return queued


def send_backlog_email(*, department: str, week: str) -> None:
    """The outbox handler: one e-mail to the department's heads, once whatever the retries."""
    monday = date.fromisoformat(week)
    try:
        with transaction.atomic():
            BacklogEmail.objects.create(department=department, week=monday)
    except IntegrityError:
        return  # sent already
    unit = Department.objects.filter(code=department).first()
    heads = department_heads(unit) if unit else []
    if not heads:
        return
    today = timezone.localdate()
    # The newest end-of-day backlog the aggregates have (today's once the task has run).
    filters = Filters(first=today - timedelta(days=14), last=today, departments=(department,))
    day, rows = backlog(filters)
    figures = {name: sum(row[name] for row in rows) for name in BACKLOG}
    soon = breaching_soon(
        today=today,
        business_days=BREACH_HORIZON_BUSINESS_DAYS,
        departments=(department,),
    )
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "indicators/email/weekly_backlog.txt",
            {
                "department": unit,
                "day": day,
                "figures": figures,
                "breaching": sum(row["cases"] for row in soon),
                "horizon": BREACH_HORIZON_BUSINESS_DAYS,
                "url": settings.SITE_URL
                + reverse("indicators:dashboard")
                + f"?departamento={department}",
                "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
            },
        )
        send_mail(
            f"Trámites pendientes de {unit.name}: semana del {monday:%d/%m/%Y}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [head.email for head in heads],
        )
