"""Reads for pages and commands; each returns a queryset sized for its page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Department, User
from core import pagecache
from core.literals import Literal
from core.pagination import CountOf, rows_counted
from documents.models import SignedDocument
from documents.selectors import documents_of

from .flows import StandardProcedureFlow
from .models import Case, ProcedureType, ProcedureVersion
from .references import FULL_REFERENCE, normalize_reference
from .services.catalog import department_of_permission, department_permission, searchable
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
    codes = (department_of_permission(perm) for perm in user.get_all_permissions())
    return sorted(code for code in codes if code is not None)


def _review_tasks() -> QuerySet[Task]:
    # The node and the statuses the queue's partial indexes (migration 0006) name are
    # written into the SQL, so that a prepared statement's generic plan can use them.
    return Task.objects.filter(
        flow_task=Literal(
            StandardProcedureFlow.review, output_field=Task._meta.get_field("flow_task")
        )
    )


# What a task list shows of a task's holder and case.
LISTED_FIELDS = (
    "owner__full_name",
    "owner__email",
    "case__reference",
    "case__status",
    "case__due_date",
    *(f"case__version__{name}" for name in VERSION_NAMES),
    "case__applicant__full_name",
    "case__applicant__email",
)


def _tasks() -> QuerySet[Task]:
    # The node alone identifies the flow, and the case is joined on the task's own
    # process_id (procedures.models): no join to the process table.
    # Only the columns a list shows: the process's data, the case's answers and the
    # version's definition are wide JSON, decoded for every row otherwise.
    return (
        _review_tasks()
        .select_related("owner", "case__version", "case__applicant")
        .only("status", "created", "flow_task", "owner_permission", *LISTED_FIELDS)
    )


# Total orders (the primary key last), so a page can start after a given task (core.keyset).
# Within a due date, the oldest task first: the case's copy of its open task's `created`
# (Case.queued_at), which the department's queue index holds after the due date.
QUEUE_ORDERINGS = {
    "due": ("case__due_date", "case__queued_at", "pk"),
    "-due": ("-case__due_date", "case__queued_at", "pk"),
    "created": ("created", "pk"),
    "-created": ("-created", "-pk"),
}


def queue_cursor_key(order: str) -> tuple[str, ...]:
    """Where a cursor task's sort key is read: its own `created` rather than its case's copy,
    which moves on to the next task once the cursor task is decided."""
    return tuple(
        "created" if f.endswith("case__queued_at") else f.lstrip("-")
        for f in QUEUE_ORDERINGS[order]
    )


def _queue_permissions(user: User) -> list[str]:
    return [department_permission(code, qualified=True) for code in departments_of(user)]


def _counted_tasks(
    user: User, *, box: str, text: str = "", overdue: bool = False
) -> QuerySet[Task]:
    """The tasks `staff_tasks` lists, for counting, on the task table alone when it can be.

    An open review task always belongs to a submitted case, so without the text and
    overdue filters (which need the case) the open boxes count through the partial
    indexes of migration 0006 without joining the process and case of every task.
    """
    if text or overdue or box not in ("inbox", "queue"):
        return staff_tasks(user, box=box, text=text, overdue=overdue).order_by()
    tasks = _review_tasks()
    if box == "inbox":
        return tasks.filter(owner=user, status=Literal(STATUS.ASSIGNED))
    tasks = tasks.filter(status=Literal(STATUS.NEW))
    if not user.is_superuser:
        tasks = tasks.filter(owner_permission__in=_queue_permissions(user))
    return tasks


# A box counts its tasks up to this many and then says "more than": the count costs the
# same in a queue of 1,000 tasks as in one of 100,000 (an uncapped count reads every entry
# of the department's index, on every page view).
TASK_COUNT_LIMIT = 1000


def _capped(tasks: QuerySet[Task]) -> QuerySet:
    return rows_counted(tasks)[: TASK_COUNT_LIMIT + 1]


def _department_names(user: User) -> QuerySet:
    """The departments the user belongs to (their groups), by name."""
    return Department.objects.filter(group__user=user).order_by("name").values("name")


def staff_task_summary(
    user: User, *, box: str, text: str = "", overdue: bool = False
) -> tuple[int, list[str]]:
    """What `staff_task_rows` carries on each row, for a page without rows: how many tasks
    (up to TASK_COUNT_LIMIT + 1, "more than") and the user's department names. One query on
    PostgreSQL (both as subqueries of the user's row), two elsewhere."""
    users = User.objects.filter(pk=user.pk).annotate(
        total=CountOf(_capped(_counted_tasks(user, box=box, text=text, overdue=overdue)))
    )
    # A box with nothing to count (no department: an empty queryset) is NULL, not 0.
    if connection.vendor != "postgresql":
        names = list(_department_names(user).values_list("name", flat=True))
        return users.values_list("total", flat=True).get() or 0, names
    users = users.annotate(departments=ArraySubquery(_department_names(user)))
    total, departments = users.values_list("total", "departments").get()
    return total or 0, departments


# What a row of a task list shows: read as plain values, no model instances per row.
TASK_ROW_FIELDS = ("pk", "owner_id", *LISTED_FIELDS)


def staff_task_rows(
    user: User, *, box: str, text: str = "", overdue: bool = False, order: str = "due"
) -> QuerySet[dict]:
    """`staff_tasks` as values, each row also carrying the box's capped count ("total", as
    `staff_task_summary`) and the user's department names ("departments").

    Both are uncorrelated subqueries, which PostgreSQL runs once per query (InitPlans):
    the list, its count and the departments cost one round trip instead of three. A page
    with no rows carries neither: `staff_task_summary` then.
    """
    counted = _counted_tasks(user, box=box, text=text, overdue=overdue)
    rows = (
        staff_tasks(user, box=box, text=text, overdue=overdue, order=order)
        .values(*TASK_ROW_FIELDS)
        .annotate(total=CountOf(_capped(counted)))
    )
    if connection.vendor == "postgresql":  # elsewhere (SQLite) read apart
        rows = rows.annotate(departments=ArraySubquery(_department_names(user)))
    return rows


def staff_tasks(
    user: User, *, box: str, text: str = "", overdue: bool = False, order: str = "due"
) -> QuerySet[Task]:
    """inbox: assigned to the user; queue: unassigned in their departments; archive: done."""
    tasks = _tasks()
    if box in ("inbox", "queue"):
        # An open review task always belongs to a submitted case. Saying so makes the join
        # to the case an inner one, so PostgreSQL can walk cases in due-date order and
        # stop after a page instead of sorting every open task of the department.
        tasks = tasks.filter(case__status=Literal(Case.Status.SUBMITTED))
    if box == "inbox":
        # The case's copy of its task's owner, likewise: PostgreSQL walks the user's claimed
        # cases by due date (case_assignee_inbox_order) and stops at a page, instead of
        # sorting every task the user holds. Not the task's owner as well: the planner would
        # take the two as independent, expect a handful of rows, and sort them all again.
        tasks = tasks.filter(status=Literal(STATUS.ASSIGNED), case__assignee=user)
    elif box == "queue":
        tasks = tasks.filter(status=Literal(STATUS.NEW))
        if not user.is_superuser:
            # The case's current department is the one the open task waits for: saying so
            # lets PostgreSQL walk that department's cases by due date and stop at a page.
            tasks = tasks.filter(
                owner_permission__in=_queue_permissions(user),
                case__current_department__in=departments_of(user),
            )
    else:
        tasks = tasks.filter(owner=user, status=STATUS.DONE)
    reference = normalize_reference(text)
    if FULL_REFERENCE.fullmatch(reference):
        # A whole reference names one case: its unique index, not a scan of every name.
        tasks = tasks.filter(case__reference=reference)
    elif text:
        words = text.strip()
        tasks = tasks.filter(
            Q(case__reference__icontains=words)
            | Q(case__applicant__full_name__icontains=words)
            | Q(case__version__name_es__icontains=words)
        )
    if overdue:
        tasks = tasks.filter(case__due_date__lt=timezone.localdate())
    return tasks.order_by(*QUEUE_ORDERINGS.get(order, QUEUE_ORDERINGS["due"]))


def can_view_case(user: User, case: Case) -> bool:
    """Staff may see a case when their departments act on any of its steps."""
    if user.is_superuser:
        return True
    if not user.is_employee:
        return False
    departments = set(departments_of(user))
    return any(step["department"] in departments for step in case.version.steps)


def _open_review_tasks() -> QuerySet[Task]:
    return Task.objects.filter(flow_task=StandardProcedureFlow.review).exclude(
        status__in=[STATUS.DONE, STATUS.CANCELED]
    )


def with_department_names(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with every department's code and name ("department_codes" and
    "department_names", in step), read by the case's own query on PostgreSQL (a subquery
    it runs once); elsewhere `department_names_of` reads them apart."""
    if connection.vendor != "postgresql":
        return cases
    departments = Department.objects.order_by("code")
    return cases.annotate(
        department_codes=ArraySubquery(departments.values("code")),
        department_names=ArraySubquery(departments.values("name")),
    )


def department_names_of(case: Case, codes: set[str]) -> dict[str, str]:
    """Department code -> name for `codes`, from `with_department_names` when it ran."""
    if hasattr(case, "department_codes"):
        return dict(zip(case.department_codes, case.department_names, strict=True))
    return dict(Department.objects.filter(code__in=codes).values_list("code", "name"))


def with_active_task_id(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with the id of its open review task, if any ("active_task_id"), read by the
    case's own query rather than one of its own."""
    tasks = _open_review_tasks().filter(process_id=OuterRef("process_id")).order_by("-created")
    return cases.annotate(active_task_id=Subquery(tasks.values("pk")[:1]))


def internal_types() -> QuerySet[ProcedureType]:
    return ProcedureType.objects.filter(audience=ProcedureType.Audience.INTERNAL)


def output_among(documents: list[SignedDocument]) -> SignedDocument | None:
    """`case_output`, picked from the case's documents already read (`documents_of`)."""
    outputs = [
        d
        for d in documents
        if d.kind in OUTPUT_KINDS
        and d.status in (SignedDocument.Status.ISSUED, SignedDocument.Status.REVOKED)
    ]
    return max(outputs, key=lambda d: (d.created_at, d.id), default=None)


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
