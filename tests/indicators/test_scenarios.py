"""Figures of hand-built scenarios, worked out by hand below, in business days.

The test procedure has a deadline of 10 business days and two review steps
(Mesa de Entradas, then Rentas, which decides: the figures are Rentas's).
Holidays of 2026 used here: Thu 2 and Fri 3 April, Mon 25 May.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from indicators.models import AggregationState, CaseDay, CaseMonth
from indicators.services import aggregates, satisfaction
from procedures.deadlines import is_overdue_on
from procedures.models import Case
from procedures.services import cases as case_services

from .conftest import at, moment

pytestmark = pytest.mark.django_db

KEY = ("habilitacion-de-prueba", "rentas", "online")


def row(day: date) -> CaseDay:
    return CaseDay.objects.get(day=day, procedure=KEY[0], department=KEY[1], channel=KEY[2])


def snapshot() -> list[tuple]:
    fields = [f.name for f in CaseDay._meta.fields if f.name != "id"]
    return list(CaseDay.objects.order_by("day", "procedure", "channel").values_list(*fields))


def month_snapshot() -> list[tuple]:
    fields = [f.name for f in CaseMonth._meta.fields if f.name != "id"]
    return list(CaseMonth.objects.order_by("month", "procedure", "channel").values_list(*fields))


def months_from_days() -> list[tuple]:
    """The month rows as the day rows add up, worked out here in Python."""
    counts = aggregates.MONTH_COUNTS
    sums: dict[tuple, dict] = {}
    for day in CaseDay.objects.all():
        key = (day.day.replace(day=1), day.procedure, day.department, day.channel, day.office)
        total = sums.setdefault(key, {"counts": dict.fromkeys(counts, 0), "days": {}})
        for name in counts:
            total["counts"][name] += getattr(day, name)
        for days, count in day.resolution_histogram.items():
            total["days"][days] = total["days"].get(days, 0) + count
    fields = [f.name for f in CaseMonth._meta.fields if f.name != "id"]
    rows = []
    for key, total in sums.items():
        values = dict(zip(("month", *aggregates.MONTH_KEYS), key, strict=True))
        values |= total["counts"] | {"resolution_histogram": total["days"]}
        rows.append(tuple(values[name] for name in fields))
    return sorted(rows, key=lambda row: (row[0], row[1], row[3]))


@pytest.fixture
def story(scenario, applicant):
    """Everything that happens, in order, as (day, action) so the test can run it step by step."""
    cases = {}

    def late_case():
        # Submitted Mon 6 April: due 10 business days later, Mon 20 April
        # (7, 8, 9, 10, 13, 14, 15, 16, 17, 20; Easter was the week before).
        cases["late"] = scenario.file(date(2026, 4, 6))

    def abandoned_draft():
        cases["abandoned"] = scenario.start(date(2026, 5, 18))

    def resumed_draft_started():
        # Started on Monday 18 May and saved, then resumed and submitted on Wednesday 20.
        cases["on_time"] = scenario.start(date(2026, 5, 18))

    def resumed_and_submitted():
        # Due Thu 4 June: 21, 22, (25 is a holiday) 26, 27, 28, 29, 1, 2, 3, 4.
        scenario.submit(cases["on_time"], date(2026, 5, 20))
        with at(date(2026, 5, 20), 15):
            satisfaction.answer(case=cases["on_time"], user=applicant, moment="submitted", score=4)

    def paused_case():
        cases["paused"] = scenario.file(date(2026, 5, 20))

    def correction_asked():
        scenario.ask_correction(cases["paused"], date(2026, 5, 22))

    def correction_sent():
        # Paused from Fri 22 to Fri 29 May: 26, 27, 28, 29 (25 is a holiday) = 4 business
        # days, so the due date moves from Thu 4 June to Wed 10 June (5, 8, 9, 10).
        scenario.correct(cases["paused"], date(2026, 5, 29))

    def resolved_on_deadline_day():
        scenario.approve(cases["on_time"], date(2026, 6, 4))
        with at(date(2026, 6, 4), 16):
            satisfaction.answer(case=cases["on_time"], user=applicant, moment="result", score=2)

    def resolved_late_and_paused_one_late():
        # "paused": 15 business days from 20 May to 11 June (21, 22, 26, 27, 28, 29, 1, 2, 3,
        # 4, 5, 8, 9, 10, 11) less the 4 paused = 11 taken, one day after its due date.
        scenario.approve(cases["paused"], date(2026, 6, 11))
        # "late": 6 April to 11 June is 46 business days, more than 3 x 10: April 7-10,
        # 13-17, 20-24, 27-30 (18); May 4-8, 11-15, 18-22, 26-29 (19; 1 and 25 are
        # holidays); June 1-5, 8-11 (9).
        scenario.approve(cases["late"], date(2026, 6, 11))

    steps = [
        (date(2026, 4, 6), late_case),
        (date(2026, 5, 18), abandoned_draft),
        (date(2026, 5, 18), resumed_draft_started),
        (date(2026, 5, 20), resumed_and_submitted),
        (date(2026, 5, 20), paused_case),
        (date(2026, 5, 22), correction_asked),
        (date(2026, 5, 29), correction_sent),
        (date(2026, 6, 4), resolved_on_deadline_day),
        (date(2026, 6, 11), resolved_late_and_paused_one_late),
    ]
    return steps, cases


def test_engine_deadlines_of_the_scenario(story):
    steps, cases = story
    for _day, action in steps:
        action()
    assert cases["on_time"].due_date == date(2026, 6, 4)
    assert Case.objects.get(pk=cases["paused"].pk).due_date == date(2026, 6, 10)
    assert cases["late"].due_date == date(2026, 4, 20)


def test_figures_after_a_full_rebuild(story):
    steps, _cases = story
    for _day, action in steps:
        action()
    aggregates.rebuild(date(2026, 4, 6), date(2026, 6, 12))

    assert row(date(2026, 4, 6)).received == 1
    # The resumed draft counts once; the abandoned one lowers the completion rate.
    may_18 = row(date(2026, 5, 18))
    assert (may_18.drafts_started, may_18.drafts_submitted) == (2, 1)
    may_20 = row(date(2026, 5, 20))
    assert (may_20.received, may_20.drafts_started, may_20.drafts_submitted) == (2, 1, 1)
    assert (may_20.satisfaction_answers, may_20.satisfaction_total, may_20.satisfied) == (1, 4, 1)

    # Backlog at the end of Friday 22 May: the two of 20 May (2 days old, one paused), and the
    # April one (46 days old, overdue since 20 April).
    may_22 = row(date(2026, 5, 22))
    assert (may_22.open_0_30, may_22.open_31_60, may_22.open_over_60) == (2, 1, 0)
    assert may_22.overdue == 1
    # 11 June: the April case is 66 days old before it is resolved that day, so no longer open.
    assert row(date(2026, 6, 10)).open_over_60 == 1
    assert row(date(2026, 6, 10)).overdue == 1

    deadline_day = row(date(2026, 6, 4))
    assert (deadline_day.resolved, deadline_day.resolved_on_time, deadline_day.resolved_late) == (
        1,
        1,
        0,
    )
    assert deadline_day.resolution_histogram == {"10": 1}
    assert (deadline_day.satisfaction_answers, deadline_day.satisfied) == (1, 0)

    june_11 = row(date(2026, 6, 11))
    assert (june_11.resolved, june_11.resolved_on_time, june_11.resolved_late) == (2, 0, 2)
    assert june_11.resolved_very_late == 1
    assert june_11.resolution_histogram == {"11": 1, "46": 1}
    assert june_11.open_0_30 + june_11.open_31_60 + june_11.open_over_60 == 0
    # No duplicate rows, and a day with nothing open nor done has no row.
    assert not CaseDay.objects.filter(day=date(2026, 6, 12)).exists()


def test_incremental_runs_give_the_rows_of_a_rebuild(story):
    steps, _cases = story
    pending = list(steps)
    day = date(2026, 4, 6)
    while day <= date(2026, 6, 12):
        while pending and pending[0][0] == day:
            pending.pop(0)[1]()
            aggregates.refresh(now=moment(day, 13))  # a run during the day
        with at(day, 23):
            aggregates.refresh(now=moment(day, 23))  # the last run of the day
        day += timedelta(days=1)
    incremental = snapshot()
    assert AggregationState.objects.get().read_until == moment(date(2026, 6, 12), 23)
    # The month rows are the sums of the day rows after the incremental runs...
    months = month_snapshot()
    assert months == months_from_days()
    assert {row[0] for row in months} == {date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)}

    CaseDay.objects.all().delete()
    CaseMonth.objects.all().delete()
    aggregates.rebuild(date(2026, 4, 6), date(2026, 6, 12))
    assert snapshot() == incremental
    # ... and after a rebuild, which writes the same ones.
    assert month_snapshot() == months
    # And a second rebuild of a day writes the same rows again.
    aggregates.aggregate_day(date(2026, 6, 11))
    assert snapshot() == incremental
    assert month_snapshot() == months


def test_the_sql_backlog_rule_is_the_engine_rule():
    day = date(2026, 6, 10)
    for due, paused in [
        (date(2026, 6, 9), None),
        (date(2026, 6, 10), None),
        (date(2026, 6, 9), date(2026, 6, 1)),
        (date(2026, 5, 29), date(2026, 6, 1)),
        (date(2026, 6, 9), date(2026, 6, 11)),
    ]:
        expected = is_overdue_on(day, due_date=due, paused_since=paused)
        rule = (due < day and (paused is None or paused > day)) or (
            paused is not None and paused <= day and due < paused
        )
        assert rule == expected


def test_deleted_draft_still_counts_as_started(scenario, applicant):
    draft = scenario.start(date(2026, 5, 18))
    with at(date(2026, 5, 19)):
        case_services.delete_draft(case=draft, actor=applicant)
    aggregates.aggregate_day(date(2026, 5, 18))
    assert (row(date(2026, 5, 18)).drafts_started, row(date(2026, 5, 18)).drafts_submitted) == (
        1,
        0,
    )
