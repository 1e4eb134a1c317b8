"""The manager dashboard (/gestion/indicadores/), the public pages (/transparencia/) and the
open data. Pages read the daily aggregates through ``selectors``; views stay thin."""

from __future__ import annotations

import csv
import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Department
from core.db_routing import reads_from_replica
from core.views import refusal_shown
from procedures.models import Case

from . import charts, opendata, selectors, sources
from .figures import DAYS_OVERFLOW
from .forms import CostForm, DashboardFilterForm, SatisfactionForm
from .models import ChannelCost
from .parts import appointments as counter_waits
from .services import costs, satisfaction
from .services.alerts import BREACH_HORIZON_BUSINESS_DAYS


def _label(period: selectors.Period, per: str) -> str:
    return f"{period.start:%d/%m}" if per == "week" else f"{period.start:%m/%Y}"


def _allowed(user) -> tuple[str, ...] | None:
    allowed = selectors.visible_departments(user)
    if allowed == ():
        raise PermissionDenied
    return allowed


@reads_from_replica
@login_required
def dashboard(request):
    allowed = _allowed(request.user)
    units = list(Department.objects.order_by("name").values_list("code", "name"))
    department_names = dict(units)
    choices = [(code, name) for code, name in units if allowed is None or code in allowed]
    if allowed is None:
        choices = [("", _("Every department"))] + choices
    elif len(choices) > 1:
        choices = [("", _("All my departments"))] + choices
    names = selectors.procedure_names()
    form = DashboardFilterForm(
        request.GET,
        departments=choices,
        procedures=sorted(((code, name) for code, name in names.items()), key=lambda c: c[1]),
        today=timezone.localdate(),
    )
    wanted = request.GET.get("departamento", "")
    if wanted and allowed is not None and wanted not in allowed:
        # Not a form error: someone asked for figures they may not see.
        raise PermissionDenied
    if not form.is_valid():
        return render(
            request, "indicators/dashboard.html", {"form": form, "box": "indicators"}, status=400
        )
    data = form.cleaned_data
    departments = (data["departamento"],) if data.get("departamento") else allowed
    filters = selectors.Filters(
        first=data["desde"],
        last=data["hasta"],
        period=data["por"],
        departments=departments,
        procedure=data.get("tramite", ""),
        channel=data.get("canal", ""),
        office=data.get("oficina", ""),
    )
    flows = selectors.flows(filters)
    periods = flows.periods
    labels = [_label(period, filters.period) for period in periods]
    backlog_day, backlog = selectors.backlog(filters)
    channels = selectors.by_channel(flows.received)
    channel_names = dict(Case.Channel.choices)
    context = {
        "form": form,
        "box": "indicators",
        "filters": filters,
        "periods": periods,
        "labels": labels,
        "deadline_chart": charts.stacked_bars(
            labels,
            [
                [
                    ("on-time", p.resolved_on_time, _("on time")),
                    ("late", p.resolved_late - p.resolved_very_late, _("late")),
                    ("very-late", p.resolved_very_late, _("more than 3× the deadline")),
                ]
                for p in periods
            ],
        ),
        "received_chart": charts.trend(labels, [p.received for p in periods]),
        "backlog_day": backlog_day,
        "backlog": [
            {**row, "name": department_names.get(row["department"], row["department"])}
            for row in backlog
        ],
        "backlog_chart": charts.stacked_bars(
            [department_names.get(row["department"], row["department"]) for row in backlog],
            [
                [
                    ("band-1", row["open_0_30"], _("0 to 30 days")),
                    ("band-2", row["open_31_60"], _("31 to 60 days")),
                    ("band-3", row["open_over_60"], _("over 60 days")),
                ]
                for row in backlog
            ],
        ),
        "channels": [
            {**row, "name": channel_names.get(row["channel"], row["channel"])} for row in channels
        ],
        "digital_take_up": selectors.digital_take_up(channels),
        # A channel's cost is the whole city's: per office it would be divided by too few.
        "costs": selectors.cost_per_transaction(filters, flows.received)
        if allowed is None and not filters.office
        else None,
        "channel_names": channel_names,
        "breaching": selectors.breaching_soon(
            today=timezone.localdate(),
            business_days=BREACH_HORIZON_BUSINESS_DAYS,
            departments=departments,
        ),
        "horizon": BREACH_HORIZON_BUSINESS_DAYS,
        "department_names": department_names,
        "sources": sources.sections(filters),
        "can_enter_costs": request.user.has_perm("indicators.add_channelcost"),
    }
    return render(request, "indicators/dashboard.html", context)


@login_required
def cost_entry(request):
    if not request.user.has_perm("indicators.add_channelcost"):
        raise PermissionDenied
    form = CostForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with refusal_shown(request) as attempt:
                costs.set_cost(
                    month=form.cleaned_data["mes"],
                    channel=form.cleaned_data["canal"],
                    amount=form.cleaned_data["monto"],
                    actor=request.user,
                )
            if attempt.ok:
                messages.success(request, _("Cost saved."))
                return redirect("indicators:costs")
        status = 400
    else:
        status = 200
    entered = ChannelCost.objects.order_by("-month", "channel")[:48]
    return render(
        request,
        "indicators/costs.html",
        {"form": form, "entered": entered, "box": "indicators"},
        status=status,
    )


@require_POST
@login_required
def answer_satisfaction(request, case_id: int):
    case = get_object_or_404(Case, pk=case_id, applicant=request.user)
    form = SatisfactionForm(request.POST, prefix="satisfaction")
    if not form.is_valid():
        messages.error(request, _("Choose a score from 1 to 5."))
    else:
        with refusal_shown(request) as attempt:
            satisfaction.answer(
                case=case,
                user=request.user,
                moment=request.POST.get("moment", ""),
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        if attempt.ok:
            messages.success(request, _("Thank you for your answer."))
    return redirect("procedures:case_detail", case.reference)


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        raise Http404 from None
    if chosen > timezone.localdate():
        raise Http404
    return chosen


@reads_from_replica
def transparency(request, month: str = ""):
    today = timezone.localdate()
    chosen = _month(month) if month else today.replace(day=1)
    figures = opendata.cached_figures(chosen)
    trend = figures["trend"]
    labels = [f"{item.start:%m/%Y}" for item in trend]
    on_time = [item.on_time_percent for item in trend]
    return render(
        request,
        "indicators/transparency.html",
        {
            "month": chosen,
            "rows": figures["records"],
            "trend": trend,
            "trend_labels": labels,
            "trend_chart": charts.trend(labels, on_time, unit=" %"),
            "counter_waits": counter_waits.public_month(*selectors.month_range(chosen)),
            "months": figures["months"],
            "small_cell": opendata.SMALL_CELL,
        },
    )


def data_dictionary(request):
    return render(
        request,
        "indicators/data_dictionary.html",
        {
            "fields": opendata.FIELDS,
            "months": opendata.available_months(),
            "small_cell": opendata.SMALL_CELL,
            "days_overflow": DAYS_OVERFLOW,
        },
    )


@reads_from_replica
def open_data_csv(request, month: str):
    chosen = _month(month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tramites-{chosen:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow([name for name, _kind, _text in opendata.FIELDS])
    for record in opendata.records(chosen):
        writer.writerow(["" if value is None else value for value in record.values()])
    return response


@reads_from_replica
def open_data_json(request, month: str):
    chosen = _month(month)
    body = {"month": f"{chosen:%Y-%m}", "records": opendata.records(chosen)}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json"
    )
