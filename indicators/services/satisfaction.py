"""The 1-to-5 question asked after submitting and after the result."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import ActionRefused
from procedures.models import Case

from ..models import SatisfactionAnswer

RESULT_STATUSES = (Case.Status.APPROVED, Case.Status.REJECTED)


def moment_due(case: Case) -> str | None:
    """The moment the case is at: after the result once decided, after submitting while open."""
    if case.status in RESULT_STATUSES:
        return SatisfactionAnswer.Moment.RESULT
    if case.status in Case.OPEN_STATUSES:
        return SatisfactionAnswer.Moment.SUBMITTED
    return None


def moment_to_ask(case: Case) -> str | None:
    moment = moment_due(case)
    if moment and not SatisfactionAnswer.objects.filter(case=case, moment=moment).exists():
        return moment
    return None


def answer(*, case: Case, user, moment: str, score: int, comment: str = "") -> SatisfactionAnswer:
    """Record the applicant's answer; a second answer for the same moment is refused."""
    case = Case.objects.get(pk=case.pk)  # the status now, not the page's
    if user.pk != case.applicant_id:
        raise ActionRefused(_("Only the applicant can answer about this case."))
    if moment != moment_due(case):
        raise ActionRefused(_("This question is not open for this case now."))
    if not 1 <= score <= 5:
        raise ActionRefused(_("Choose a score from 1 to 5."))
    try:
        with transaction.atomic():
            given = SatisfactionAnswer.objects.create(
                case=case, moment=moment, score=score, comment=comment.strip()[:1000]
            )
            audit.record(
                actor=user,
                action="indicators.satisfaction_answered",
                obj=given,
                after={"case": case.reference, "moment": moment, "score": score},
            )
    except IntegrityError:
        raise ActionRefused(_("You already answered this question. Thank you!")) from None
    return given
