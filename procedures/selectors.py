"""Reads for pages and commands; each returns a queryset sized for its page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from core import pagecache
from documents.models import SignedDocument
from documents.selectors import documents_of

from .flows import StandardProcedureFlow
from .models import Case, ProcedureType, ProcedureVersion
from .references import FULL_REFERENCE, normalize_reference
from .services.catalog import department_permission, searchable
from .services.outputs import OUTPUT_KINDS


def published_versions(audience: str | None = None) -> QuerySet[ProcedureVersion]:
    versions = (
        ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED)
        .select_related("procedure_type__category")
        .order_by("name_es")
    )
    if audience:
        versions = versions.filter(procedure_type__audience=audience)
    return versions


def search_catalog(
    *, audience: str, text: str = "", category: str = ""
) -> QuerySet[ProcedureVersion]:
    versions = published_versions(audience)
    for word in searchable(text).split():
        versions = versions.filter(search_text__contains=word)
    if category:
        versions = versions.filter(procedure_type__category__code=category)
    return versions


def published_stamp() -> str:
    """Changes whenever a version is published or retired.

    Read from the database rather than bumped in the cache, so that it holds with a
    cache per process too, and a publication is seen at once by every process.
    """
    stamp = ProcedureVersion.objects.exclude(status=ProcedureVersion.Status.DRAFT).aggregate(
        published=Count("pk", filter=Q(status=ProcedureVersion.Status.PUBLISHED)),
        last_from=Max("valid_from"),
        last_until=Max("valid_until"),
    )
    return "{published}:{last_from}:{last_until}".format(**stamp)


def catalog_stamp() -> str:
    """The key of the catalog's cached parts: the published versions' stamp, and the public
    pages' generation (core.pagecache) for what it misses (a category renamed)."""
    return f"{published_stamp()}:{pagecache.generation()}"


def published_version_of(code: str) -> ProcedureVersion | None:
    return published_versions().filter(procedure_type__code=code).first()


VERSION_NAMES = ("name_es", "name_en", "name_it")


def cases_of(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(applicant=user)
        .exclude(status=Case.Status.DRAFT)
        .select_related("version")
        # What the list shows, without each case's answers and its version's definition.
        .only("reference", "status", "due_date", *(f"version__{n}" for n in VERSION_NAMES))
        .order_by("-submitted_at")
    )


def drafts_of(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(filed_by=user, status=Case.Status.DRAFT)
        .select_related("version", "applicant")
        .only(
            "updated_at",
            "form_section",
            "applicant__full_name",
            "applicant__email",
            *(f"version__{n}" for n in VERSION_NAMES),
        )
        .order_by("-updated_at")
    )


def departments_of(user: User) -> list[str]:
    """Department codes whose steps the user may act on."""
    prefix = "procedures.act_for_"
    return sorted(
        perm[len(prefix) :].replace("_", "-")
        for perm in user.get_all_permissions()
        if perm.startswith(prefix)
    )


def _tasks() -> QuerySet[Task]:
    # The node alone identifies the flow: no join to the process table just to check it.
    # Only the columns a list shows: the process's data, the case's answers and the
    # version's definition are wide JSON, decoded for every row otherwise.
    return (
        Task.objects.filter(flow_task=StandardProcedureFlow.review)
        .select_related("owner", "process__case__version", "process__case__applicant")
        .only(
            "status",
            "created",
            "flow_task",
            "owner_permission",
            "owner__full_name",
            "owner__email",
            "process__status",
            "process__case__process",
            "process__case__reference",
            "process__case__status",
            "process__case__due_date",
            *(f"process__case__version__{name}" for name in VERSION_NAMES),
            "process__case__applicant__full_name",
            "process__case__applicant__email",
        )
    )


# Total orders (the primary key last), so a page can start after a given task (core.keyset).
QUEUE_ORDERINGS = {
    "due": ("process__case__due_date", "created", "pk"),
    "-due": ("-process__case__due_date", "created", "pk"),
    "created": ("created", "pk"),
    "-created": ("-created", "-pk"),
}


def _queue_permissions(user: User) -> list[str]:
    return [department_permission(code, qualified=True) for code in departments_of(user)]


def staff_task_count(user: User, *, box: str, text: str = "", overdue: bool = False) -> int:
    """How many tasks `staff_tasks` lists, counted on the task table alone when it can be.

    An open review task always belongs to a submitted case, so without the text and
    overdue filters (which need the case) the open boxes count through the partial
    indexes of migration 0006 without joining the process and case of every task.
    """
    if text or overdue or box not in ("inbox", "queue"):
        return staff_tasks(user, box=box, text=text, overdue=overdue).count()
    tasks = Task.objects.filter(flow_task=StandardProcedureFlow.review)
    if box == "inbox":
        return tasks.filter(owner=user, status=STATUS.ASSIGNED).count()
    tasks = tasks.filter(status=STATUS.NEW)
    if not user.is_superuser:
        tasks = tasks.filter(owner_permission__in=_queue_permissions(user))
    return tasks.count()


def staff_tasks(
    user: User, *, box: str, text: str = "", overdue: bool = False, order: str = "due"
) -> QuerySet[Task]:
    """inbox: assigned to the user; queue: unassigned in their departments; archive: done."""
    tasks = _tasks()
    if box in ("inbox", "queue"):
        # An open review task always belongs to a submitted case. Saying so makes the join
        # to the case an inner one, so PostgreSQL can walk cases in due-date order and
        # stop after a page instead of sorting every open task of the department.
        tasks = tasks.filter(process__case__status=Case.Status.SUBMITTED)
    if box == "inbox":
        tasks = tasks.filter(owner=user, status=STATUS.ASSIGNED)
    elif box == "queue":
        tasks = tasks.filter(status=STATUS.NEW)
        if not user.is_superuser:
            # The case's current department is the one the open task waits for: saying so
            # lets PostgreSQL walk that department's cases by due date and stop at a page.
            tasks = tasks.filter(
                owner_permission__in=_queue_permissions(user),
                process__case__current_department__in=departments_of(user),
            )
    else:
        tasks = tasks.filter(owner=user, status=STATUS.DONE)
    reference = normalize_reference(text)
    if FULL_REFERENCE.fullmatch(reference):
        # A whole reference names one case: its unique index, not a scan of every name.
        tasks = tasks.filter(process__case__reference=reference)
    elif text:
        words = text.strip()
        tasks = tasks.filter(
            Q(process__case__reference__icontains=words)
            | Q(process__case__applicant__full_name__icontains=words)
            | Q(process__case__version__name_es__icontains=words)
        )
    if overdue:
        tasks = tasks.filter(process__case__due_date__lt=timezone.localdate())
    return tasks.order_by(*QUEUE_ORDERINGS.get(order, QUEUE_ORDERINGS["due"]))


def can_view_case(user: User, case: Case) -> bool:
    """Staff may see a case when their departments act on any of its steps."""
    if user.is_superuser:
        return True
    if not user.is_employee:
        return False
    departments = set(departments_of(user))
    return any(step["department"] in departments for step in case.version.steps)


def active_task_of(case: Case) -> Task | None:
    if case.process_id is None:
        return None
    return (
        Task.objects.filter(process_id=case.process_id, flow_task=StandardProcedureFlow.review)
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
        .select_related("owner")
        .first()
    )


def internal_types() -> QuerySet[ProcedureType]:
    return ProcedureType.objects.filter(audience=ProcedureType.Audience.INTERNAL)


def case_output(case: Case) -> SignedDocument | None:
    """The document the case produced as its output, once signed (issued or since revoked)."""
    return (
        documents_of(case)
        .filter(
            kind__in=OUTPUT_KINDS,
            status__in=[SignedDocument.Status.ISSUED, SignedDocument.Status.REVOKED],
        )
        .order_by("-created_at", "-id")
        .first()
    )


# The ranking and the home's panel rendered from it (procedures/_home_most_used.html) are
# each kept this long at most, the whole page 10 minutes (core.pagecache.PAGE_SECONDS): the
# counts shown are at most an hour old.
MOST_USED_SECONDS = 1500


def most_used_versions(limit: int = 6) -> list[ProcedureVersion]:
    """The residents' procedures filed most over the last year (alphabetical while there is
    no history yet), for the home page.

    The ranking counts a year of cases (0.7 s at 100,000): it is kept MOST_USED_SECONDS under
    the published versions' stamp (a publication ranks again at once), and only the versions
    are read again when the home's panel is rendered anew (a notice, a category renamed).
    """
    stamp = hashlib.md5(published_stamp().encode()).hexdigest()  # noqa: S324 - a cache key
    key = f"procedures:most_used:{limit}:{stamp}"
    ranked = cache.get(key)
    if ranked is None:
        ranked = [version.pk for version in _rank_most_used(limit)]
        cache.set(key, ranked, MOST_USED_SECONDS)
    versions = published_versions(ProcedureType.Audience.RESIDENT).in_bulk(ranked)
    return [versions[pk] for pk in ranked if pk in versions]


def _rank_most_used(limit: int) -> list[ProcedureVersion]:
    since = timezone.now() - timedelta(days=365)
    filed = (
        Case.objects.filter(
            version__procedure_type=OuterRef("procedure_type"), submitted_at__gte=since
        )
        .order_by()
        .values("version__procedure_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        published_versions(ProcedureType.Audience.RESIDENT)
        .annotate(filed=Coalesce(Subquery(filed), 0))
        .order_by("-filed", "name_es")[:limit]
    )
