"""A case's deadline in business days, with the clock stopped while a correction is awaited.

The due date is set at submission (``deadline_business_days`` after the day of
submission) and pushed back, when the applicant sends the corrections asked for,
by the business days the case waited for them. These functions are the one
statement of that rule, for the engine and for whoever measures it.
"""

from __future__ import annotations

from datetime import date

from core.calendar import add_business_days, business_days_between


def due_after_pause(due_date: date, paused_since: date | None, today: date) -> date:
    """The due date once a pause that began on ``paused_since`` ends on ``today``."""
    paused = business_days_between(paused_since, today) if paused_since else 0
    return add_business_days(due_date, paused) if paused else due_date


def paused_business_days(*, submitted_on: date, due_date: date, deadline_business_days: int) -> int:
    """Business days a case's clock was stopped for corrections (ended pauses only)."""
    return max(business_days_between(submitted_on, due_date) - deadline_business_days, 0)


def business_days_taken(
    *, submitted_on: date, resolved_on: date, due_date: date, deadline_business_days: int
) -> int:
    """Business days the municipality took, the days waiting for corrections left out."""
    paused = paused_business_days(
        submitted_on=submitted_on, due_date=due_date, deadline_business_days=deadline_business_days
    )
    return max(business_days_between(submitted_on, resolved_on) - paused, 0)


def is_overdue_on(day: date, *, due_date: date, paused_since: date | None) -> bool:
    """Past its due date on ``day``: a case waiting for a correction is not, unless it already
    was when the pause began (the pause then only keeps it from getting later)."""
    if paused_since is not None and paused_since <= day:
        return due_date < paused_since
    return due_date < day
