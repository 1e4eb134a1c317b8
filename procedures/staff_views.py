"""Employee pages: task queues, the task and case pages, filing on someone's behalf.

Every URL here is under /gestion/, where accounts.middleware already requires
an employee with two-factor authentication.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from core.files import private_file_response
from core.keyset import keyset_page
from core.privatepages import depends_on, private_page, scope
from core.views import refusal_shown
from documents import selectors as document_selectors
from documents.models import OfficialSigningKey
from documents.services import SigningRefused

from . import selectors
from .models import Case, CaseDocument, ProcedureType
from .services import cases, review
from .services.catalog import definition_of
from .signals import department_scope
from .staff_forms import AssignForm, AssistedFilingForm, DecisionForm, NoteForm
from .views import PAGE_SIZE, answer_rows

BOXES = {
    "inbox": _("My tasks"),
    "queue": _("Department queue"),
    "archive": _("Done by me"),
}


def _positive(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 < int(value) < 2**63 else None


def _task_rows_html(rows: list[dict], today: date) -> SafeString:
    """The rows of a task table, built here: a template spends far longer per row and
    lookup. Every value is escaped by format_html."""
    language = (get_language() or "es")[:2]
    name = {"en": "case__version__name_en", "it": "case__version__name_it"}
    name_field = name.get(language, "case__version__name_es")
    # One reverse() for all rows: a task's URL is this prefix and its number.
    prefix = reverse("staff:task", args=[0])[: -len("0/")]
    overdue_badge = format_html(' <strong class="badge-overdue">{}</strong>', _("Overdue"))
    waiting_badge = format_html(
        ' <span class="status status-correction">{}</span>', _("Waiting for the applicant")
    )
    html = []
    for row in rows:
        due = row["case__due_date"]
        status = row["case__status"]
        overdue = status in Case.OPEN_STATUSES and due is not None and due < today
        html.append(
            format_html(
                '<tr{}><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td><td>{}{}{}</td>'
                "<td>{}</td></tr>\n",
                mark_safe(' class="overdue"') if overdue else "",
                prefix,
                row["pk"],
                row["case__reference"],
                row[name_field] or row["case__version__name_es"],
                row["case__applicant__full_name"] or row["case__applicant__email"],
                f"{due.day}/{due.month:02}/{due.year}" if due else "",  # as date_format "j/m/Y"
                overdue_badge if overdue else "",
                waiting_badge if status == Case.Status.CORRECTION else "",
                (row["owner__full_name"] or row["owner__email"]) if row["owner_id"] else "—",
            )
        )
    return mark_safe("".join(html))  # noqa: S308 - each row built by format_html


def _task_list(request, box: str):
    text = request.GET.get("q", "").strip()[:100]
    overdue = request.GET.get("vencidos") == "1"
    order = request.GET.get("orden", "due")
    if order not in selectors.QUEUE_ORDERINGS:
        order = "due"
    # Claims and decisions renew the departments' scopes (procedures.signals), and the user's.
    depends_on(
        request, *(department_scope(code) for code in selectors.departments_of(request.user))
    )
    rows = selectors.staff_task_rows(request.user, box=box, text=text, overdue=overdue, order=order)
    # Pages start after (or before) a task, not at an offset: page 40 costs what page 1 does.
    page = keyset_page(
        rows,
        selectors.QUEUE_ORDERINGS[order],
        PAGE_SIZE,
        after=_positive(request.GET.get("despues")),
        before=_positive(request.GET.get("antes")),
        cursor_key=selectors.queue_cursor_key(order),
    )
    # The rows carry the count and the departments; an empty page asks for them apart.
    if page.rows and "departments" in page.rows[0]:
        count, departments = page.rows[0]["total"], page.rows[0]["departments"]
    else:
        count, departments = selectors.staff_task_summary(
            request.user, box=box, text=text, overdue=overdue
        )
    # The page number is only a label carried by the links (the cursor decides the rows).
    number = (_positive(request.GET.get("pagina")) or 1) if page.has_previous else 1
    kept = {"q": text, "orden": order, "vencidos": "1" if overdue else ""}
    return render(
        request,
        "procedures/staff/task_list.html",
        {
            "page": page,
            "rows": _task_rows_html(page.rows, timezone.localdate()),
            "count": count,
            # Past the limit the count is not known, nor how many pages there are.
            "more_than": number_format(selectors.TASK_COUNT_LIMIT, force_grouping=True)
            if count > selectors.TASK_COUNT_LIMIT
            else "",
            "number": number,
            "pages": max(1, -(-count // PAGE_SIZE))
            if count <= selectors.TASK_COUNT_LIMIT
            else None,
            "kept": urlencode(
                {k: v for k, v in kept.items() if v and not (k == "orden" and v == "due")}
            ),
            "box": box,
            "boxes": BOXES,
            "q": text,
            "overdue": overdue,
            "order": order,
            "departments": ", ".join(departments),
        },
    )


@login_required
@private_page
def inbox(request):
    return _task_list(request, "inbox")


@login_required
@private_page
def queue(request):
    return _task_list(request, "queue")


@login_required
def archive(request):
    return _task_list(request, "archive")


def _task_and_case(request, task_id: int) -> tuple[Task, Case]:
    task = get_object_or_404(
        Task.objects.select_related("owner", "process"),
        pk=task_id,
        flow_task=review.StandardProcedureFlow.review,
    )
    case = get_object_or_404(
        Case.objects.select_related("version", "applicant"), process_id=task.process_id
    )
    if not (selectors.can_view_case(request.user, case) or task.owner_id == request.user.pk):
        raise PermissionDenied
    return task, case


def _correctable(definition) -> list[tuple[str, str]]:
    return [(f.name, f.label.es) for f in definition.fields] + [
        (d.name, d.label.es) for d in definition.documents
    ]


def _case_context(request, case: Case) -> dict:
    definition = definition_of(case.version)
    attached = {d.slot: d for d in case.documents.filter(replaced=False)}
    signed = list(document_selectors.documents_of(case))
    codes = {s.department for s in definition.review_steps}
    department_names = selectors.department_names_of(case, codes)
    return {
        "case": case,
        "definition": definition,
        "groups": answer_rows(case, definition, attached),
        "documents": [(d, attached.get(d.name)) for d in definition.documents],
        "events": case.events.select_related("actor"),
        "note_form": NoteForm(),
        "output": selectors.output_among(signed),  # not a query of its own
        "signed_documents": signed,
        "steps": [
            {
                "name": s.name.get(get_language() or "es"),
                "department": department_names.get(s.department, s.department),
                "state": "done"
                if i < case.current_step or case.status == Case.Status.APPROVED
                else "current"
                if i == case.current_step and case.is_open
                else "pending",
            }
            for i, s in enumerate(definition.review_steps)
        ],
    }


@login_required
def task_detail(request, task_id: int):
    task, case = _task_and_case(request, task_id)
    context = _case_context(request, case)
    permission = task.owner_permission
    colleagues = (
        User.objects.filter(is_active=True, role=User.Role.EMPLOYEE)
        .filter(groups__permissions__codename=permission.split(".")[-1])
        .distinct()
        .order_by("full_name")
        if permission
        else User.objects.none()
    )
    context.update(
        task=task,
        is_mine=task.owner_id == request.user.pk and task.status == STATUS.ASSIGNED,
        can_claim=task.status == STATUS.NEW and request.user.has_perm(permission),
        decision_form=DecisionForm(
            correctable=_correctable(context["definition"]), needs_pin=review.needs_signature(case)
        ),
        assign_form=AssignForm(colleagues=colleagues),
    )
    _add_signing_context(request, case, context)
    return render(request, "procedures/staff/task.html", context)


def _add_signing_context(request, case: Case, context: dict) -> None:
    context["needs_signature"] = review.needs_signature(case)
    context["has_signing_key"] = OfficialSigningKey.objects.filter(
        user=request.user, active=True
    ).exists()


@login_required
@require_POST
def task_claim(request, task_id: int):
    _task_and_case(request, task_id)
    with refusal_shown(request) as attempt:
        review.claim(task_id=task_id, user=request.user)
    if attempt.ok:
        messages.success(request, _("The task is yours."))
    return redirect("staff:task", task_id)


@login_required
@require_POST
def task_release(request, task_id: int):
    _task_and_case(request, task_id)
    with refusal_shown(request) as attempt:
        review.release(task_id=task_id, user=request.user)
    if attempt.ok:
        messages.success(request, _("The task is back in the department queue."))
    return redirect("staff:queue")


@login_required
@require_POST
def task_assign(request, task_id: int):
    task, _case = _task_and_case(request, task_id)
    form = AssignForm(request.POST, colleagues=User.objects.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, _("Choose a colleague."))
        return redirect("staff:task", task_id)
    assignee = form.cleaned_data["assignee"]
    with refusal_shown(request) as attempt:
        review.assign_to(task_id=task_id, assignee=assignee, actor=request.user)
    if attempt.ok:
        messages.success(request, _("Task assigned to %(name)s.") % {"name": assignee})
    return redirect("staff:task", task_id)


@sensitive_post_parameters("pin")
@login_required
@require_POST
def task_decide(request, task_id: int):
    task, case = _task_and_case(request, task_id)
    form = DecisionForm(
        request.POST,
        correctable=_correctable(definition_of(case.version)),
        needs_pin=review.needs_signature(case),
    )

    def form_again():
        context = _case_context(request, case)
        context.update(
            task=task,
            is_mine=True,
            can_claim=False,
            decision_form=form,
            assign_form=AssignForm(colleagues=User.objects.none()),
        )
        _add_signing_context(request, case, context)
        return render(request, "procedures/staff/task.html", context, status=400)

    if not form.is_valid():
        return form_again()
    decision = form.cleaned_data["decision"]
    with refusal_shown(request) as attempt:
        try:
            review.decide(
                task_id=task_id,
                user=request.user,
                decision=decision,
                message=form.cleaned_data["message"],
                correction_fields=form.cleaned_data["correction_fields"],
                pin=form.cleaned_data.get("pin", ""),
            )
        except SigningRefused as exc:  # shown on the PIN field, with the form kept
            form.add_error("pin" if "pin" in form.fields else None, str(exc))
            return form_again()
    if attempt.ok:
        messages.success(
            request,
            {
                review.Decision.APPROVE: _("Step approved for %(reference)s."),
                review.Decision.CORRECTION: _(
                    "Correction requested for %(reference)s; the applicant was notified."
                ),
                review.Decision.REJECT: _("%(reference)s rejected; the applicant was notified."),
            }[decision]
            % {"reference": case.reference},
        )
        return redirect("staff:inbox")
    return redirect("staff:task", task_id)


def _staff_case(request, reference: str, cases: QuerySet[Case] | None = None) -> Case:
    # The procedure type too: the payments panel asks for its code.
    if cases is None:
        cases = Case.objects.select_related("version__procedure_type", "applicant")
    case = get_object_or_404(cases, reference=reference)
    if not selectors.can_view_case(request.user, case):
        raise PermissionDenied
    return case


@login_required
@private_page
def case_page(request, reference: str):
    cases = Case.objects.select_related("version__procedure_type", "applicant")
    cases = selectors.with_department_names(selectors.with_active_task_id(cases))
    case = _staff_case(request, reference, cases)
    depends_on(request, scope(case, case.pk), scope(Process, case.process_id))
    return render(request, "procedures/staff/case.html", _case_context(request, case))


@login_required
@require_POST
def case_note(request, reference: str):
    case = _staff_case(request, reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        review.add_note(case=case, user=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("The note is empty."))
    return redirect("staff:case", reference)


@login_required
def case_document(request, reference: str, token: str):
    case = _staff_case(request, reference)
    document = get_object_or_404(CaseDocument, case=case, token=token)
    return private_file_response(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        inline=request.GET.get("ver") == "1",  # a preview in the browser
    )


@login_required
def case_output(request, reference: str):
    case = _staff_case(request, reference)
    output = getattr(case, "output", None)
    if output is None:
        raise Http404
    return private_file_response(
        output.file, filename=f"{case.reference}.pdf", content_type="application/pdf"
    )


@login_required
def file_new(request):
    """Internal procedures, and filing a resident's procedure at a counter or by phone."""
    if request.method == "POST":
        form = AssistedFilingForm(request.POST)
        version = selectors.published_version_of(request.POST.get("procedure", ""))
        if form.is_valid() and (
            version is None or version.procedure_type.audience != ProcedureType.Audience.RESIDENT
        ):
            form.add_error(None, _("Choose the procedure."))
        if form.is_valid():
            case = cases.start_draft(
                version=version,
                applicant=form.cleaned_data["applicant"],
                filed_by=request.user,
                channel=form.cleaned_data["channel"],
                office_code=form.cleaned_data["office"],
            )
            return redirect("procedures:draft_section", case.pk, 0)
    else:
        form = AssistedFilingForm()
    return render(
        request,
        "procedures/staff/file_new.html",
        {
            "form": form,
            "internal": selectors.published_versions(ProcedureType.Audience.INTERNAL),
            "resident": selectors.published_versions(ProcedureType.Audience.RESIDENT),
        },
    )


@login_required
@require_POST
def file_internal(request, code: str):
    version = selectors.published_version_of(code)
    if version is None or version.procedure_type.audience != ProcedureType.Audience.INTERNAL:
        raise Http404
    case = cases.start_draft(
        version=version,
        applicant=request.user,
        filed_by=request.user,
        channel=Case.Channel.INTERNAL,
    )
    return redirect("procedures:draft_section", case.pk, 0)
