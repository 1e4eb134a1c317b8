"""Resident pages: catalog, filing (multi-step form with drafts), my procedures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Process

from core.errors import ActionRefused
from core.files import private_file_response
from core.money import format_money, format_number
from core.pagecache import public_page
from core.pagination import counted_page
from core.privatepages import depends_on, private_page, scope
from core.views import refusal_shown

from . import selectors
from .catalog import Section
from .forms import (
    CorrectionReplyForm,
    DocumentsForm,
    SectionForm,
    initial_from_answers,
    section_applies,
)
from .models import Case, CaseDocument, Category, ProcedureType
from .services import cases, outputs
from .services.catalog import definition_of

PAGE_SIZE = 25


@public_page
def catalog(request):
    text = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("categoria", "")
    versions = selectors.search_catalog(
        audience=ProcedureType.Audience.RESIDENT, text=text, category=category
    )
    return render(
        request,
        "procedures/catalog.html",
        {
            # The list is the same for everyone: the template caches it under the stamp,
            # and the page and categories are only read when it renders them.
            "catalog_stamp": selectors.catalog_stamp(),
            "page": SimpleLazyObject(
                lambda: Paginator(versions, PAGE_SIZE).get_page(request.GET.get("pagina"))
            ),
            "q": text,
            "category": category,
            "categories": Category.objects.filter(
                procedure_types__audience=ProcedureType.Audience.RESIDENT
            ).distinct(),
        },
    )


def _visible_version(request, code: str):
    """A published version the visitor may see: internal procedures only for employees."""
    version = selectors.published_version_of(code)
    internal = (
        version is not None and version.procedure_type.audience == ProcedureType.Audience.INTERNAL
    )
    if (
        version is None
        or (internal and not request.user.is_authenticated)
        or (internal and not request.user.is_employee)
    ):
        raise Http404
    return version


@public_page
def procedure_detail(request, code: str):
    version = _visible_version(request, code)
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "version": version,
            "definition": definition_of(version),
        },
    )


@login_required
@require_POST
def start(request, code: str):
    version = selectors.published_version_of(code)
    if version is None:
        raise Http404
    if (
        version.procedure_type.audience == ProcedureType.Audience.INTERNAL
        and not request.user.is_employee
    ):
        raise Http404
    if not request.user.profile_complete:
        messages.info(request, _("Complete your details first: they go on every procedure."))
        return redirect(
            reverse("accounts:profile") + "?next=" + reverse("procedures:detail", args=[code])
        )
    case = cases.start_draft(version=version, applicant=request.user, filed_by=request.user)
    return redirect("procedures:draft_section", case.pk, 0)


def _draft_for(request, case_id: int) -> Case:
    """A draft the current user is filling in (for themselves or on someone's behalf)."""
    case = get_object_or_404(
        Case.objects.select_related("version", "applicant"), pk=case_id, filed_by=request.user
    )
    if case.status != Case.Status.DRAFT:
        messages.info(request, _("This application was already submitted."))
        raise _AlreadySubmitted(case)
    return case


class _AlreadySubmitted(Exception):
    def __init__(self, case: Case):
        self.case = case


def _handles_submitted(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _AlreadySubmitted as exc:
            return redirect(_case_url(request.user, exc.case))

    wrapper.__name__ = view.__name__
    return wrapper


def _case_url(user, case: Case) -> str:
    if case.applicant_id == user.pk:
        return reverse("procedures:case_detail", args=[case.reference])
    return reverse("staff:case", args=[case.reference])


def _form_steps(definition) -> list[str]:
    titles = [s.title.get(_language()) for s in definition.sections]
    if definition.documents:
        titles.append(_("Documents"))
    return [*titles, _("Check and submit")]


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "es")[:2]


@login_required
@_handles_submitted
@private_page
def draft_section(request, case_id: int, index: int):
    case = _draft_for(request, case_id)
    depends_on(request, scope(case, case.pk))
    definition = definition_of(case.version)
    if index >= len(definition.sections) or index > case.form_section:
        return redirect(
            "procedures:draft_section",
            case.pk,
            min(case.form_section, len(definition.sections) - 1),
        )
    section = definition.sections[index]
    if not section_applies(section, case.answers):
        # Nothing on this page applies given earlier answers: record that and move on.
        form = SectionForm({}, definition=definition, section=section, known_answers=case.answers)
        form.is_valid()
        case = cases.save_section(
            case=case, section_index=index, answers=form.answers(), uploads={}, actor=request.user
        )
        return _after_section(request, case, definition, index)
    form_kwargs = {"definition": definition, "section": section, "known_answers": case.answers}
    if request.method == "POST":
        form = SectionForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                cases.save_section(
                    case=case,
                    section_index=index,
                    answers=form.answers(),
                    uploads=form.uploads(),
                    actor=request.user,
                )
            except ActionRefused as exc:
                messages.error(request, str(exc))
                return redirect(_case_url(request.user, case))
            if request.POST.get("later"):
                messages.success(request, _("Saved. You can go on later from “My procedures”."))
                return redirect("procedures:my_cases")
            return _after_section(request, case, definition, index)
        kept = form.accepted_uploads()
        if kept:  # the files that passed are kept; the page says why the others did not
            case = cases.save_documents(
                case=case, uploads=kept, actor=request.user, record_in_answers=True
            )
            form_kwargs["known_answers"] = case.answers
            form = SectionForm(request.POST, _files_except(request, kept), **form_kwargs)
            form.is_valid()
    else:
        form = SectionForm(initial=initial_from_answers(section, case.answers), **form_kwargs)
    return render(
        request,
        "procedures/draft_section.html",
        {
            "case": case,
            "definition": definition,
            "form": form,
            "section": section,
            "index": index,
            "steps": _form_steps(definition),
            # Files are only attached to file fields: a page without one need not read them.
            "attached": _attached(case) if any(f.kind == "file" for f in section.fields) else {},
            "previous": _previous_section(definition, case.answers, index),
        },
    )


def _after_section(request, case: Case, definition, index: int):
    if index + 1 < len(definition.sections):
        return redirect("procedures:draft_section", case.pk, index + 1)
    if definition.documents:
        return redirect("procedures:draft_documents", case.pk)
    return redirect("procedures:draft_review", case.pk)


def _previous_section(definition, answers: dict, index: int) -> int | None:
    """The closest earlier page that applies (pages skipped by earlier answers are not)."""
    for earlier in range(index - 1, -1, -1):
        if section_applies(definition.sections[earlier], answers):
            return earlier
    return None


def _files_except(request, kept: dict):
    files = request.FILES.copy()
    for name in kept:
        files.pop(name, None)
    return files


def _attached(case: Case) -> dict[str, CaseDocument]:
    return {d.slot: d for d in case.documents.filter(replaced=False)}


@login_required
@_handles_submitted
def draft_documents(request, case_id: int):
    case = _draft_for(request, case_id)
    definition = definition_of(case.version)
    if not definition.documents:
        return redirect("procedures:draft_review", case.pk)
    attached = _attached(case)
    form_kwargs = {"documents": definition.documents, "present": set(attached)}
    if request.method == "POST":
        form = DocumentsForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            cases.save_documents(case=case, uploads=form.uploads(), actor=request.user)
            if request.POST.get("later"):
                messages.success(request, _("Saved. You can go on later from “My procedures”."))
                return redirect("procedures:my_cases")
            return redirect("procedures:draft_review", case.pk)
        kept = form.accepted_uploads()
        if kept:  # the files that passed are kept; the page says why the others did not
            cases.save_documents(case=case, uploads=kept, actor=request.user)
            attached = _attached(case)
            form_kwargs["present"] = set(attached)
            form = DocumentsForm(request.POST, _files_except(request, kept), **form_kwargs)
            form.is_valid()
    else:
        form = DocumentsForm(**form_kwargs)
    return render(
        request,
        "procedures/draft_documents.html",
        {
            "case": case,
            "definition": definition,
            "form": form,
            "attached": attached,
            "index": len(definition.sections),
            "steps": _form_steps(definition),
        },
    )


def answer_rows(case: Case, definition, attached: dict[str, CaseDocument]) -> list[dict]:
    """The answers grouped by section, as the check-your-answers page and case pages show them."""
    language = _language()
    groups = []
    for index, section in enumerate(definition.sections):
        rows = []
        for spec in section.fields:
            shown = spec.show_if is None or spec.show_if.matches(
                case.answers.get(spec.show_if.field)
            )
            if not shown:
                continue
            value = case.answers.get(spec.name)
            if spec.kind in ("choice", "multichoice"):
                labels = {c.value: c.label.get(language) for c in spec.choices}
                values = value if isinstance(value, list) else [value] if value else []
                value = ", ".join(labels.get(v, v) for v in values)
            elif spec.kind == "yesno" and value:
                value = _("Yes") if value == "yes" else _("No")
            elif spec.kind == "money" and value not in (None, ""):
                value = format_money(value)
            elif spec.kind == "number" and value not in (None, ""):
                value = format_number(value)
            rows.append(
                {
                    "name": spec.name,
                    "label": spec.label.get(language),
                    "value": value,
                    "document": attached.get(spec.name) if spec.kind == "file" else None,
                }
            )
        groups.append({"index": index, "title": section.title.get(language), "rows": rows})
    return groups


@login_required
@_handles_submitted
def draft_review(request, case_id: int):
    case = _draft_for(request, case_id)
    definition = definition_of(case.version)
    attached = _attached(case)
    if request.method == "POST":
        try:
            case = cases.submit(case=case, actor=request.user)
        except ActionRefused as exc:
            messages.error(request, str(exc))
            return redirect("procedures:draft_review", case.pk)
        if case.applicant_id == request.user.pk:
            return redirect("procedures:case_submitted", case.reference)
        messages.success(
            request,
            _("Case %(reference)s filed; the applicant was notified.")
            % {"reference": case.reference},
        )
        return redirect("staff:case", case.reference)
    try:
        fee = definition.fee.compute(case.answers)
    except ValueError:
        fee = None
    return render(
        request,
        "procedures/draft_review.html",
        {
            "case": case,
            "definition": definition,
            "groups": answer_rows(case, definition, attached),
            "documents": [(d, attached.get(d.name)) for d in definition.documents],
            "missing": cases.missing_items(case, definition),
            "fee": fee,
            "index": len(_form_steps(definition)) - 1,
            "steps": _form_steps(definition),
        },
    )


@login_required
def draft_delete(request, case_id: int):
    """Asks first (a page, so it works without JavaScript), then deletes on POST."""
    case = (
        Case.objects.select_related("version")
        .filter(pk=case_id, filed_by=request.user, status=Case.Status.DRAFT)
        .first()
    )
    if case is None:  # a second click, or another tab, got there first
        messages.info(request, _("That draft no longer exists."))
        return redirect("procedures:my_cases")
    if request.method == "POST":
        cases.delete_draft(case=case, actor=request.user)
        messages.success(request, _("Draft deleted."))
        return redirect("procedures:my_cases")
    return render(request, "procedures/draft_delete.html", {"case": case})


def _own_case(request, reference: str) -> Case:
    return get_object_or_404(
        # The procedure type too: the case page's panels (appointments) ask for its code.
        Case.objects.select_related("version__procedure_type", "applicant"),
        reference=reference,
        applicant=request.user,
    )


@login_required
def case_submitted(request, reference: str):
    case = _own_case(request, reference)
    return render(
        request,
        "procedures/case_submitted.html",
        {
            "case": case,
            "definition": definition_of(case.version),
        },
    )


@login_required
@private_page
def my_cases(request):
    page = counted_page(selectors.cases_of(request.user), request.GET.get("pagina"), PAGE_SIZE)
    drafts = list(selectors.drafts_of(request.user)[:50])
    # A new case or draft renews the user's own scope; a change of a listed one, its scope.
    depends_on(request, *(scope(case, case.pk) for case in [*page.object_list, *drafts]))
    return render(request, "procedures/my_cases.html", {"page": page, "drafts": drafts})


@login_required
def filing_receipt(request, reference: str):
    """The sealed receipt of filing: asked for the first time it is wanted (sealing takes
    the signing queue a moment), then downloaded from the documents app."""
    case = _own_case(request, reference)
    if case.submitted_at is None:
        raise Http404
    receipt = outputs.filing_receipt(case) or outputs.request_filing_receipt(
        case=case, actor=request.user
    )
    if receipt.has_file:
        return redirect("documents:download", receipt.code)
    return render(request, "procedures/filing_receipt_pending.html", {"case": case})


@login_required
@private_page
def case_detail(request, reference: str):
    case = _own_case(request, reference)
    depends_on(request, scope(case, case.pk), scope(Process, case.process_id))
    definition = definition_of(case.version)
    attached = _attached(case)
    return render(
        request,
        "procedures/case_detail.html",
        {
            "case": case,
            "definition": definition,
            "events": case.events.filter(public=True).select_related("actor"),
            "groups": answer_rows(case, definition, attached),
            "documents": [(d, attached.get(d.name)) for d in definition.documents],
            "output": getattr(case, "output", None)
            if case.status == Case.Status.APPROVED
            else None,
        },
    )


def correction_form_parts(case: Case, definition, data=None, files=None, kept=None):
    """The form of the fields the employee asked to correct, and of the documents named.
    ``kept``: {slot: file name} of files kept from an earlier try of the page (not asked again)."""
    kept = kept or {}
    named = set(case.correction_fields)
    specs = tuple(f for f in definition.fields if not named or f.name in named)
    section = Section(title=definition.sections[0].title, fields=specs)
    known = {**case.answers, **kept}
    fields_form = (
        SectionForm(
            data,
            files,
            definition=definition,
            section=section,
            known_answers=known,
            initial=initial_from_answers(section, case.answers),
            prefix="answers",
        )
        if specs
        else None
    )
    documents = tuple(d for d in definition.documents if not named or d.name in named)
    present = set(case.documents.filter(replaced=False).values_list("slot", flat=True))
    documents_form = (
        DocumentsForm(
            data,
            files,
            documents=documents,
            present=(present - {d.name for d in documents} if named else present) | set(kept),
            prefix="documents",
        )
        if documents
        else None
    )
    return fields_form, documents_form


def _correction_files_except(request, kept: dict) -> dict:
    files = request.FILES.copy()
    for slot in kept:
        for prefix in ("answers", "documents"):
            files.pop(f"{prefix}-{slot}", None)
    return files


@login_required
def case_correct(request, reference: str):
    case = _own_case(request, reference)
    if case.status != Case.Status.CORRECTION:
        messages.info(request, _("No correction is pending on this case."))
        return redirect("procedures:case_detail", reference)
    definition = definition_of(case.version)
    if request.method == "POST":
        if request.POST.get("remove_kept"):
            cases.discard_correction_file(
                case=case, slot=request.POST["remove_kept"], actor=request.user
            )
            messages.success(request, _("File removed."))
            return redirect("procedures:case_correct", reference)
        kept = _kept_files(case)
        fields_form, documents_form = correction_form_parts(
            case, definition, request.POST, request.FILES, kept
        )
        reply_form = CorrectionReplyForm(request.POST, prefix="reply")
        # Every form checked (not all() on a generator): the page shows every problem at once.
        forms_ok = all([f.is_valid() for f in (fields_form, documents_form, reply_form) if f])
        if forms_ok:
            uploads = {**(documents_form.uploads() if documents_form else {})}
            file_fields = set()
            if fields_form:
                uploads.update(fields_form.uploads())
                file_fields = {f.name for f in fields_form.specs if f.kind == "file"}
            with refusal_shown(request) as attempt:
                cases.send_corrections(
                    case=case,
                    actor=request.user,
                    answers=fields_form.answers() if fields_form else {},
                    uploads=uploads,
                    file_fields=file_fields,
                    message=reply_form.cleaned_data["message"],
                )
            if attempt.ok:
                messages.success(request, _("Corrections sent. The review goes on."))
            return redirect("procedures:case_detail", reference)
        accepted = {
            **(fields_form.accepted_uploads() if fields_form else {}),
            **(documents_form.accepted_uploads() if documents_form else {}),
        }
        if accepted:  # files that passed are kept; the page says why the others did not
            cases.keep_correction_files(case=case, uploads=accepted, actor=request.user)
            kept = _kept_files(case)
            fields_form, documents_form = correction_form_parts(
                case, definition, request.POST, _correction_files_except(request, accepted), kept
            )
            for form in (fields_form, documents_form):
                if form:
                    form.is_valid()
    else:
        fields_form, documents_form = correction_form_parts(
            case, definition, kept=_kept_files(case)
        )
        reply_form = CorrectionReplyForm(prefix="reply")
    return render(
        request,
        "procedures/case_correct.html",
        {
            "case": case,
            "definition": definition,
            "fields_form": fields_form,
            "documents_form": documents_form,
            "reply_form": reply_form,
            "kept_files": _kept_rows(case, definition),
        },
    )


def _kept_files(case: Case) -> dict[str, str]:
    return dict(case.pending_files.values_list("slot", "original_name"))


def _kept_rows(case: Case, definition) -> list[dict[str, str]]:
    language = _language()
    labels = {spec.name: spec.label.get(language) for spec in definition.fields}
    labels.update({spec.name: spec.label.get(language) for spec in definition.documents})
    return [
        {"slot": slot, "label": labels.get(slot, slot), "name": name}
        for slot, name in sorted(_kept_files(case).items())
    ]


@login_required
@require_POST
def case_withdraw(request, reference: str):
    case = _own_case(request, reference)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that you want to withdraw."))
        return redirect("procedures:case_detail", reference)
    with refusal_shown(request) as attempt:
        cases.withdraw(case=case, actor=request.user)
    if attempt.ok:
        messages.success(request, _("You withdrew from this procedure."))
    return redirect("procedures:case_detail", reference)


@login_required
def document_download(request, reference: str, token: str):
    case = _own_case(request, reference)
    document = get_object_or_404(CaseDocument, case=case, token=token)
    return private_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


@login_required
def output_download(request, reference: str):
    case = _own_case(request, reference)
    output = getattr(case, "output", None)
    if output is None or case.status != Case.Status.APPROVED:
        raise Http404
    return private_file_response(
        output.file, filename=f"{case.reference}.pdf", content_type="application/pdf"
    )
