"""Filing a case: drafts, submission, corrections, withdrawal.

Every function runs in one transaction that also writes the audit event,
locks the case row, and re-checks the case's state under the lock, so a
double click or a stale page changes nothing and says why.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit, storage
from core.calendar import add_business_days
from core.errors import ActionRefused
from core.files import sha256_of

from ..catalog import ProcedureDefinition
from ..deadlines import due_after_pause
from ..flows import StandardProcedureFlow
from ..models import Case, CaseDocument, CaseEvent, PendingCorrectionFile, ProcedureVersion
from ..references import new_reference
from . import fees, work
from .catalog import definition_of


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("version").get(pk=case.pk)


def start_draft(
    *,
    version: ProcedureVersion,
    applicant: User,
    filed_by: User,
    channel: str = Case.Channel.ONLINE,
    office_code: str = "",
) -> Case:
    if version.status != ProcedureVersion.Status.PUBLISHED:
        raise ActionRefused(_("This procedure is not available for new applications."))
    if (channel == Case.Channel.COUNTER) != bool(office_code):
        raise ActionRefused(_("Say at which office the resident is (only for a counter)."))
    with transaction.atomic():
        case = Case.objects.create(
            version=version,
            applicant=applicant,
            filed_by=filed_by,
            channel=channel,
            office_code=office_code,
        )
        audit.record(
            actor=filed_by,
            action="case.draft_created",
            obj=case,
            after={
                "procedure": version.procedure_type.code,
                "version": version.number,
                "channel": channel,
                "office": office_code,
                "applicant": applicant.email,
            },
        )
    return case


def _stored_file_fields(uploaded, actor: User) -> dict:
    """What a case's stored file (a document, or one kept for a correction) records of it."""
    return {
        "token": secrets.token_hex(16),
        "original_name": uploaded.name[:200],
        "content_type": uploaded.sniffed_type,
        "size": uploaded.size,
        "sha256": sha256_of(uploaded),
        "uploaded_by": actor,
    }


def store_document(*, case: Case, slot: str, uploaded, actor: User) -> CaseDocument:
    """Attach a file (already checked by the form) to a slot, replacing the previous one."""
    case.documents.filter(slot=slot, replaced=False).update(replaced=True)
    document = CaseDocument(case=case, slot=slot, **_stored_file_fields(uploaded, actor))
    storage.save(document.file, document.token, uploaded)
    document.save()
    return document


def save_section(
    *,
    case: Case,
    section_index: int,
    answers: dict[str, Any],
    uploads: dict[str, Any],
    actor: User,
) -> Case:
    with transaction.atomic():
        case = _locked(case)
        if case.status != Case.Status.DRAFT:
            raise ActionRefused(_("This application was already submitted."))
        before = {k: case.answers.get(k) for k in [*answers, *uploads]}
        case.answers.update(answers)
        for slot, uploaded in uploads.items():
            store_document(case=case, slot=slot, uploaded=uploaded, actor=actor)
            case.answers[slot] = uploaded.name[:200]
        case.form_section = max(case.form_section, section_index + 1)
        case.save(update_fields=["answers", "form_section", "updated_at"])
        audit.record(
            actor=actor,
            action="case.draft_saved",
            obj=case,
            before=before,
            after={k: case.answers.get(k) for k in before},
        )
    return case


def save_documents(
    *, case: Case, uploads: dict[str, Any], actor: User, record_in_answers: bool = False
) -> Case:
    """Attach checked files; ``record_in_answers`` for the file fields of a form page,
    whose answer is the file's name (as ``save_section`` records it)."""
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Case.Status.DRAFT, Case.Status.CORRECTION):
            raise ActionRefused(_("Documents can no longer be changed on this case."))
        names = {}
        for slot, uploaded in uploads.items():
            document = store_document(case=case, slot=slot, uploaded=uploaded, actor=actor)
            names[slot] = document.original_name
            if record_in_answers:
                case.answers[slot] = document.original_name
        if record_in_answers and names:
            case.save(update_fields=["answers", "updated_at"])
        if names:
            audit.record(actor=actor, action="case.documents_attached", obj=case, after=names)
    return case


def missing_items(case: Case, definition: ProcedureDefinition) -> list[str]:
    """Labels of required answers and documents still missing (visible fields only)."""
    missing = []
    for spec in definition.fields:
        shown = spec.show_if is None or spec.show_if.matches(case.answers.get(spec.show_if.field))
        if shown and spec.required and case.answers.get(spec.name) in (None, "", []):
            missing.append(spec.label.es)
    present = set(case.documents.filter(replaced=False).values_list("slot", flat=True))
    missing += [d.label.es for d in definition.documents if d.required and d.name not in present]
    return missing


def _unused_reference() -> str:
    """A random reference no case has yet (drawn again on the rare repeat, instead of a 500
    from the unique constraint); two submissions drawing the same one at the same instant
    is a chance of one in 10^12."""
    for _attempt in range(10):
        reference = new_reference()
        if not Case.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("no unused case reference after 10 draws: is the generator broken?")


def submit(*, case: Case, actor: User) -> Case:
    with transaction.atomic():
        case = _locked(case)
        if case.status != Case.Status.DRAFT:
            raise ActionRefused(
                _("This application was already submitted as %(reference)s.")
                % {"reference": case.reference}
            )
        if case.version.status != ProcedureVersion.Status.PUBLISHED:
            raise ActionRefused(
                _("This procedure changed since you started. Start a new application.")
            )
        definition = definition_of(case.version)
        missing = missing_items(case, definition)
        if missing:
            raise ActionRefused(_("Still missing: %(items)s.") % {"items": ", ".join(missing)})
        now = timezone.now()
        case.reference = _unused_reference()
        case.fee_amount = definition.fee.compute(case.answers)
        case.submitted_at = now
        waits = fees.waits_for_payment(case)
        if waits:  # the deadline starts once the fee is paid (fees.start_review)
            Case.STATES.move(case, Case.Status.PAYMENT_PENDING)
            case.save()
        else:
            Case.STATES.move(case, Case.Status.SUBMITTED)
            case.due_date = add_business_days(
                timezone.localdate(now), definition.deadline_business_days
            )
            case.current_step = 0
            case.current_department = definition.review_steps[0].department
            case.save()
        if fees.collects(case):
            fees.open_order(case, actor=actor)
        assisted = case.filed_by_id != case.applicant_id and case.channel != Case.Channel.INTERNAL
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEvent.Kind.ASSISTED if assisted else CaseEvent.Kind.SUBMITTED,
            message=(
                _("Filed by %(employee)s (%(channel)s).")
                % {
                    "employee": actor.get_full_name() or actor.email,
                    "channel": case.get_channel_display(),
                }
            )
            if assisted
            else "",
        )
        if not waits:
            StandardProcedureFlow.start.run(case=case)
        audit.record(
            actor=actor,
            action="case.submitted",
            obj=case,
            before={"status": Case.Status.DRAFT},
            after={
                "status": case.status,
                "reference": case.reference,
                "due_date": case.due_date.isoformat() if case.due_date else None,
                "fee": str(case.fee_amount),
            },
        )
        work.notify_later(case, "submitted")
    return case


def resubmit(*, case: Case, actor: User, answers: dict[str, Any], message: str = "") -> Case:
    """The applicant sends the corrections an employee asked for, with an optional message
    for the reviewer (shown in the case's history)."""
    with transaction.atomic():
        case = _locked(case)
        if case.status != Case.Status.CORRECTION:
            raise ActionRefused(_("No correction is pending on this case."))
        before = {"status": case.status, **{k: case.answers.get(k) for k in answers}}
        case.answers.update(answers)
        definition = definition_of(case.version)
        missing = missing_items(case, definition)
        if missing:
            raise ActionRefused(_("Still missing: %(items)s.") % {"items": ", ".join(missing)})
        case.due_date = due_after_pause(case.due_date, case.paused_since, timezone.localdate())
        case.paused_since = None
        Case.STATES.move(case, Case.Status.SUBMITTED)
        case.correction_fields = []
        case.save()
        CaseEvent.objects.create(
            case=case, actor=actor, kind=CaseEvent.Kind.RESUBMITTED, message=message.strip()
        )
        task = case.process.task_set.get(
            flow_task=StandardProcedureFlow.await_correction, status="NEW"
        )
        StandardProcedureFlow.await_correction.run(task)
        audit.record(
            actor=actor,
            action="case.resubmitted",
            obj=case,
            before=before,
            after={
                "status": case.status,
                "due_date": case.due_date.isoformat(),
                "message": message.strip(),
                **{k: case.answers.get(k) for k in answers},
            },
        )
    return case


# --- Files kept on the correction page until the corrections are sent ----------------------


def keep_correction_files(*, case: Case, uploads: dict[str, Any], actor: User) -> None:
    """Keep files that passed their checks on a correction page refused for another reason
    (replacing a file kept earlier for the same slot); ``send_corrections`` attaches them."""
    with transaction.atomic():
        case = _locked(case)
        if case.status != Case.Status.CORRECTION:
            raise ActionRefused(_("No correction is pending on this case."))
        for slot, uploaded in uploads.items():
            _discard_pending(case, slot)
            pending = PendingCorrectionFile(
                case=case, slot=slot, **_stored_file_fields(uploaded, actor)
            )
            storage.save(pending.file, pending.token, uploaded)
            pending.save()
        if uploads:
            audit.record(
                actor=actor,
                action="case.correction_files_kept",
                obj=case,
                after={slot: uploaded.name[:200] for slot, uploaded in uploads.items()},
            )


def discard_correction_file(*, case: Case, slot: str, actor: User) -> None:
    """The resident removes a file kept on the correction page before sending it."""
    with transaction.atomic():
        case = _locked(case)
        name = _discard_pending(case, slot)
        if name:
            audit.record(
                actor=actor, action="case.correction_file_removed", obj=case, before={slot: name}
            )


def _discard_pending(case: Case, slot: str) -> str:
    pending = case.pending_files.filter(slot=slot).first()
    if pending is None:
        return ""
    pending.delete()
    transaction.on_commit(partial(pending.file.storage.delete, pending.file.name))
    return pending.original_name


def send_corrections(
    *,
    case: Case,
    actor: User,
    answers: dict[str, Any],
    uploads: dict[str, Any],
    file_fields: set[str],
    message: str = "",
) -> Case:
    """Attach the files chosen now and those kept from an earlier try of the page, then
    resubmit, all or nothing. A file field's answer is its file's name (``file_fields``)."""
    with transaction.atomic():
        case = _locked(case)
        if case.status != Case.Status.CORRECTION:
            raise ActionRefused(_("No correction is pending on this case."))
        answers = dict(answers)
        names = {}
        for slot, uploaded in uploads.items():
            names[slot] = store_document(
                case=case, slot=slot, uploaded=uploaded, actor=actor
            ).original_name
        for pending in case.pending_files.all():
            if pending.slot not in names:
                names[pending.slot] = _attach_pending(case, pending, actor).original_name
            else:
                transaction.on_commit(partial(pending.file.storage.delete, pending.file.name))
            pending.delete()
        answers.update({slot: name for slot, name in names.items() if slot in file_fields})
        if names:
            audit.record(actor=actor, action="case.documents_attached", obj=case, after=names)
        return resubmit(case=case, actor=actor, answers=answers, message=message)


def _attach_pending(case: Case, pending: PendingCorrectionFile, actor: User) -> CaseDocument:
    """The kept file becomes the slot's document; the stored file stays where it is."""
    case.documents.filter(slot=pending.slot, replaced=False).update(replaced=True)
    return CaseDocument.objects.create(
        case=case,
        slot=pending.slot,
        token=pending.token,
        file=pending.file.name,
        original_name=pending.original_name,
        content_type=pending.content_type,
        size=pending.size,
        sha256=pending.sha256,
        uploaded_by=pending.uploaded_by,
    )


def withdraw(*, case: Case, actor: User) -> Case:
    with transaction.atomic():
        case = _locked(case)
        if case.status == Case.Status.DRAFT:
            raise ActionRefused(_("A draft is deleted, not withdrawn."))
        if not case.is_open:
            raise ActionRefused(_("This case is already closed."))
        before = {"status": case.status}
        if case.process is not None:  # a case waiting for its fee has no process yet
            StandardProcedureFlow.instance.cancel(case.process)
            # Its review task cancelled, nobody holds it: so the signal left the row, and so
            # must this copy of it saved below (procedures.signals).
            case.assignee = None
        fees.cancel_open_orders(case, actor=actor)
        for slot in list(case.pending_files.values_list("slot", flat=True)):
            _discard_pending(case, slot)  # files kept for corrections that will not be sent
        Case.STATES.move(case, Case.Status.WITHDRAWN)
        case.resolved_at = timezone.now()
        case.paused_since = None
        case.save()
        CaseEvent.objects.create(case=case, actor=actor, kind=CaseEvent.Kind.WITHDRAWN)
        audit.record(
            actor=actor,
            action="case.withdrawn",
            obj=case,
            before=before,
            after={"status": case.status},
        )
        work.notify_later(case, "withdrawn")
    return case


def delete_draft(*, case: Case, actor: User) -> None:
    with transaction.atomic():
        case = _locked(case)
        if case.status != Case.Status.DRAFT:
            raise ActionRefused(_("Only drafts can be deleted."))
        audit.record(
            actor=actor,
            action="case.draft_deleted",
            obj=case,
            before={"procedure": case.version.procedure_type.code},
        )
        for document in case.documents.all():
            document.file.delete(save=False)
        case.delete()
