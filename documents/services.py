"""Issuing signed documents: request, sign (seal or official), extend, revoke, re-issue.

Sealed documents (certificates, acknowledgements, payment receipts) follow
the persisted-work pattern: ``request_document`` writes a PENDING row in the
caller's transaction and, once it commits, hands its id to the signing queue
(``documents.tasks.issue_document``). The task renders, signs (PAdES B-T, or
B-B without a TSA), stores the file under a name fixed by the document's code
and marks the row issued, all under the row's lock: a task run twice, or
re-run after its worker died half-way, leaves exactly one signed file. A
periodic sweep re-sends rows that stay pending. ``extend`` then adds
long-term validation data and an archive timestamp (B-LTA).

Resolutions are signed by the approving official, in the approval's request,
with the PIN they just typed (``sign_resolution``): the PIN is never stored,
queued or logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import mail_admins, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from pyhanko.sign.timestamps import TimestampRequestError

from accounts.models import User
from core import audit, storage
from core.errors import ActionRefused
from procedures.models import Case, CaseEvent

from . import keys, rendering
from .models import OfficialSigningKey, SignedDocument, new_code
from .signing.sign import extend_to_lta, sha256_hex, sign_pdf, timestamp_time
from .signing.signers import TokenKeyNotFound, TokenPinIncorrect, TokenPinLocked, TokenUnavailable
from .signing.verify import lta_validation_context

log = logging.getLogger(__name__)

Kind = SignedDocument.Kind
Status = SignedDocument.Status

# Kinds a case's definition can name as its output (the rest come from other apps).
OUTPUT_KINDS = (Kind.CERTIFICATE, Kind.RESOLUTION, Kind.ACKNOWLEDGEMENT)
LONG_TERM_LEVEL = "B-LTA"
# A document sent to the queue and still pending after this long is sent again by the sweep.
REDISPATCH_AFTER = timedelta(minutes=10)
# Younger rows are still being dispatched by their own on_commit hook.
GRACE = timedelta(minutes=1)


class SigningRefused(ActionRefused):
    """The official's signature could not be made (PIN, key, token); the message says why."""


class WrongPin(SigningRefused):
    """The PIN did not unlock the key. The caller records it with ``record_wrong_pin`` once
    its transaction has rolled back (a record made inside it would roll back too)."""


# --- Storage -----------------------------------------------------------------------------------


def _storage_name(document: SignedDocument, suffix: str = "") -> str:
    return f"signed/{document.case_id}/{document.code}{suffix}.pdf"


def _store(name: str, data: bytes) -> str:
    """Write ``data`` under exactly ``name``, replacing what an interrupted earlier run left."""
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    storage.delete_if_rolled_back(saved)
    if saved != name:
        raise RuntimeError(f"storage saved {name!r} as {saved!r}")
    return saved


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception as exc:  # noqa: BLE001 - a leftover file harms nobody; the record is right
        log.warning("could not delete superseded file %s: %s", name, exc)


def read_file(document: SignedDocument) -> bytes:
    with default_storage.open(document.file.name, "rb") as handle:
        return handle.read()


# --- Requesting and issuing sealed documents ------------------------------------------------


def _current(case: Case, kind: str, key: str) -> SignedDocument | None:
    return SignedDocument.objects.filter(
        case=case, kind=kind, key=key, status__in=SignedDocument.CURRENT_STATUSES
    ).first()


def _new_sealed(case: Case, kind: str, key: str, facts: dict[str, Any]) -> SignedDocument:
    return SignedDocument.objects.create(
        case=case,
        kind=kind,
        key=key,
        code=new_code(),
        signer=SignedDocument.Signer.SEAL,
        signer_name=settings.MUNICIPALITY_NAME,
        signer_role=rendering.SEAL_ROLE,
        title=facts["title"],
        facts=facts,
    )


def request_document(
    *,
    case: Case,
    kind: str,
    key: str = "",
    extra_facts: dict[str, Any] | None = None,
    actor: User | None = None,
) -> SignedDocument:
    """Ask for a document sealed by the municipality; it is signed once this transaction commits.

    Idempotent: while a document of this case, kind and key is pending or
    issued, that one is returned.
    """
    existing = _current(case, kind, key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            document = _new_sealed(case, kind, key, rendering.case_facts(case, kind, extra_facts))
            audit.record(
                actor=actor,
                action="document.requested",
                obj=document,
                after={"case": case.reference, "kind": kind, "key": key, "code": document.code},
            )
    except IntegrityError:
        # Requested at the same moment by someone else: theirs is the one.
        existing = _current(case, kind, key)
        if existing is None:
            raise
        return existing
    transaction.on_commit(lambda: dispatch_issue(document.pk))
    return document


def request_payment_receipt(
    *,
    case: Case,
    payment_reference: str,
    amount_display: str,
    method: str,
    paid_on: str,
    concept: str = "",
    actor: User | None = None,
) -> SignedDocument:
    """The sealed receipt of one payment of ``case`` (called by the payments app, in its
    transaction). ``paid_on`` is an ISO date; texts are in Spanish, as printed."""
    return request_document(
        case=case,
        kind=Kind.PAYMENT_RECEIPT,
        key=payment_reference[:64],
        extra_facts={
            "payment_reference": payment_reference,
            "amount_display": amount_display,
            "method": method,
            "paid_on": paid_on,
            "concept": concept or f"Tasa del trámite {case.reference}",
        },
        actor=actor,
    )


def _record_failure(document_id: int, exc: BaseException) -> None:
    message = f"{type(exc).__name__}: {exc}"[:2000]
    SignedDocument.objects.filter(pk=document_id).update(
        attempts=F("attempts") + 1, last_error=message
    )


def _announce_output(document: SignedDocument, actor: User | None) -> None:
    """The case's timeline and audit trail say its output is ready."""
    CaseEvent.objects.create(case=document.case, kind=CaseEvent.Kind.OUTPUT_READY)
    audit.record(
        actor=actor,
        action="case.output_produced",
        obj=document.case,
        after={"kind": document.kind, "code": document.code, "sha256": document.sha256},
    )


def needs_extension(document: SignedDocument) -> bool:
    # B-B documents (signed while no TSA was configured) stay so: long-term
    # validation builds on the signature's own timestamp.
    return (
        document.status == Status.ISSUED
        and document.level == "B-T"
        and keys.timestamper() is not None
    )


def _finish_issue(document: SignedDocument, signed: bytes, *, actor: User | None) -> None:
    """Store the signed file and record it; inside the transaction holding the document."""
    stamped_at = timestamp_time(signed)
    document.file.name = _store(_storage_name(document), signed)
    document.sha256 = document.issued_sha256 = sha256_hex(signed)
    document.level = "B-T" if stamped_at else "B-B"
    document.timestamped_at = stamped_at
    document.status = Status.ISSUED
    document.issued_at = timezone.now()
    document.attempts += 1
    document.last_error = ""
    document.save()
    audit.record(
        actor=actor,
        action="document.issued",
        obj=document,
        after={"code": document.code, "level": document.level, "sha256": document.sha256},
    )
    if needs_extension(document):
        transaction.on_commit(lambda: dispatch_extend(document.pk))


def _seal(document: SignedDocument, pdf: bytes) -> bytes:
    with keys.seal().session() as signer:
        return sign_pdf(
            pdf,
            signer,
            certify=True,
            timestamper=keys.timestamper(),
            field_name="SelloMunicipal",
            reason=f"{rendering.KIND_TITLES[document.kind]} del expediente {document.case.reference}",
            location=settings.MUNICIPALITY_NAME,
        )


def issue(document_id: int) -> SignedDocument | None:
    """Render, seal, store and record a pending document; nothing to do if it is not pending."""
    try:
        with transaction.atomic():
            document = (
                SignedDocument.objects.select_for_update(of=("self",))
                .select_related("case__version", "case__applicant")
                .filter(pk=document_id)
                .first()
            )
            if document is None or document.status != Status.PENDING:
                return document
            if not document.facts:  # carried over from before signing existed
                document.facts = rendering.case_facts(document.case, document.kind)
                document.title = document.facts["title"]
                document.signer_name = settings.MUNICIPALITY_NAME
                document.signer_role = rendering.SEAL_ROLE
            signed = _seal(document, rendering.render_document(document))
            _finish_issue(document, signed, actor=None)
            if document.kind in OUTPUT_KINDS:
                _announce_output(document, actor=None)
    except Exception as exc:
        _record_failure(document_id, exc)
        raise
    return document


# --- Officials' signatures -------------------------------------------------------------------


def _official_key(official: User) -> OfficialSigningKey:
    key = OfficialSigningKey.objects.filter(user=official, active=True).first()
    if key is None:
        raise SigningRefused(
            _(
                "You have no signing key registered, so you cannot sign this resolution. "
                "Ask an administrator to register your token."
            )
        )
    return key


def _refuse_while_locked(key: OfficialSigningKey) -> None:
    if key.locked_until is not None and key.locked_until > timezone.now():
        raise SigningRefused(
            _(
                "Your signing is locked until %(time)s after too many wrong PINs. Nothing was "
                "approved. An administrator can unlock it earlier."
            )
            % {"time": _local_time(key.locked_until)}
        )


def _local_time(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i")


def _wrong_pin_message(key: OfficialSigningKey) -> str:
    left = settings.SIGNING_PIN_MAX_ATTEMPTS - key.failed_pin_attempts - 1
    if left <= 0:
        return _(
            "The PIN is not correct. Nothing was approved. After %(count)d wrong PINs your "
            "signing is locked for %(minutes)d minutes; an administrator was told."
        ) % {
            "count": settings.SIGNING_PIN_MAX_ATTEMPTS,
            "minutes": settings.SIGNING_PIN_LOCK_MINUTES,
        }
    return _(
        "The PIN is not correct. Nothing was approved: try again (%(left)d attempts left "
        "before signing is locked for %(minutes)d minutes)."
    ) % {"left": left, "minutes": settings.SIGNING_PIN_LOCK_MINUTES}


def record_wrong_pin(*, official: User) -> OfficialSigningKey | None:
    """Count a wrong PIN of ``official``, in its own transaction (call it after the refused
    approval rolled back); the last allowed one locks signing and tells the official and the
    administrators."""
    with transaction.atomic():
        key = OfficialSigningKey.objects.select_for_update().filter(user=official).first()
        if key is None:
            return None
        key.failed_pin_attempts += 1
        log.warning(
            "wrong signing PIN for %s (%d of %d)",
            official.email,
            key.failed_pin_attempts,
            settings.SIGNING_PIN_MAX_ATTEMPTS,
        )
        audit.record(
            actor=official,
            action="signing.wrong_pin",
            obj=key,
            after={"attempts": key.failed_pin_attempts},
        )
        if key.failed_pin_attempts >= settings.SIGNING_PIN_MAX_ATTEMPTS:
            key.locked_until = timezone.now() + timedelta(minutes=settings.SIGNING_PIN_LOCK_MINUTES)
            audit.record(
                actor=official,
                action="signing.locked",
                obj=key,
                after={
                    "attempts": key.failed_pin_attempts,
                    "until": key.locked_until.isoformat(),
                },
            )
            log.warning("signing locked for %s until %s", official.email, key.locked_until)
            key.failed_pin_attempts = 0
            locked = key
            transaction.on_commit(lambda: _tell_about_lock(locked))
        key.save(update_fields=["failed_pin_attempts", "locked_until", "updated_at"])
    return key


def _tell_about_lock(key: OfficialSigningKey) -> None:
    official = key.user
    with translation.override("es"):
        subject = _("%(site)s: your signing was locked") % {"site": settings.MUNICIPALITY_NAME}
        body = _(
            "Someone typed a wrong signing PIN %(count)d times in a row with your account, so "
            "your signing is locked until %(time)s. If it was not you, tell the IT team now: "
            "your password may be known to someone else."
        ) % {"count": settings.SIGNING_PIN_MAX_ATTEMPTS, "time": _local_time(key.locked_until)}
        admin_body = _(
            "The signing of %(official)s was locked until %(time)s after %(count)d wrong PINs "
            "in a row. It can be unlocked earlier in the admin (Officials' signing keys)."
        ) % {
            "official": official.email,
            "time": _local_time(key.locked_until),
            "count": settings.SIGNING_PIN_MAX_ATTEMPTS,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [official.email])
        mail_admins(subject, admin_body)
    except Exception as exc:  # noqa: BLE001 - the lock holds whether or not the mail leaves
        log.error("could not send the signing lock e-mails for %s: %s", official.email, exc)


def unlock_signing(*, key: OfficialSigningKey, actor: User) -> OfficialSigningKey:
    """An administrator lifts a lock (after checking with the official)."""
    with transaction.atomic():
        key = OfficialSigningKey.objects.select_for_update().get(pk=key.pk)
        before = {"locked_until": key.locked_until.isoformat() if key.locked_until else None}
        key.locked_until = None
        key.failed_pin_attempts = 0
        key.save(update_fields=["failed_pin_attempts", "locked_until", "updated_at"])
        audit.record(actor=actor, action="signing.unlocked", obj=key, before=before, after={})
    return key


@sensitive_variables("pin")
def sign_resolution(*, case: Case, official: User, pin: str) -> SignedDocument:
    """Sign the case's resolution with the official's own key, now, and record it.

    Call inside the approval's transaction, before changing anything: a
    refusal (``SigningRefused``: wrong PIN, key missing, token unreachable)
    then leaves everything as it was, and so does an unreachable TSA.
    """
    existing = _current(case, Kind.RESOLUTION, "")
    if existing is not None:
        return existing
    signing_key = _official_key(official)
    _refuse_while_locked(signing_key)
    facts = rendering.case_facts(case, Kind.RESOLUTION)
    document = SignedDocument(
        case=case,
        kind=Kind.RESOLUTION,
        code=new_code(),
        signer=SignedDocument.Signer.OFFICIAL,
        signed_by=official,
        signer_name=official.full_name or official.email,
        signer_role=signing_key.role,
        title=facts["title"],
        facts=facts,
    )
    pdf = rendering.render_document(document)
    sign = {
        "certify": False,
        "field_name": "FirmaFuncionario",
        "reason": f"Resolución del expediente {case.reference}",
        "location": settings.MUNICIPALITY_NAME,
    }
    try:
        with keys.official_backend(signing_key).session(pin=pin) as signer:
            signed = sign_pdf(pdf, signer, timestamper=keys.timestamper(), **sign)
    except TimestampRequestError as exc:
        # B-T is due at issue time, and the PIN cannot wait for the TSA to come back.
        log.warning("TSA unavailable signing the resolution of %s: %s", case.reference, exc)
        raise SigningRefused(
            _(
                "The timestamp authority does not answer right now. Nothing was approved: "
                "try again in a few minutes."
            )
        ) from None
    except TokenPinIncorrect:
        raise WrongPin(_wrong_pin_message(signing_key)) from None
    except TokenPinLocked:
        raise SigningRefused(
            _("Your token's PIN is locked after too many attempts. Ask an administrator.")
        ) from None
    except TokenKeyNotFound:
        raise SigningRefused(
            _("Your signing key was not found on your token. Ask an administrator.")
        ) from None
    except TokenUnavailable:
        raise SigningRefused(
            _("Your token cannot be reached right now. Nothing was approved: try again later.")
        ) from None
    _finish_issue(document, signed, actor=official)
    if signing_key.failed_pin_attempts:
        OfficialSigningKey.objects.filter(pk=signing_key.pk).update(failed_pin_attempts=0)
    return document


def announce_resolution(case: Case) -> SignedDocument | None:
    """After approval: the signed resolution is the case's output (the flow calls this once)."""
    document = _current(case, Kind.RESOLUTION, "")
    if document is not None and document.status == Status.ISSUED:
        _announce_output(document, actor=None)
    return document


# --- Long-term validation ------------------------------------------------------------------------


def extend(document_id: int) -> SignedDocument | None:
    """Add validation data and an archive timestamp (B-LTA) to an issued document."""
    try:
        with transaction.atomic():
            document = SignedDocument.objects.select_for_update().filter(pk=document_id).first()
            if document is None or not needs_extension(document):
                return document
            context = lta_validation_context(
                keys.trust_roots(),
                crls=keys.crls(),
                allow_fetching=settings.SIGNING_REVOCATION_FETCH,
            )
            timestamper = keys.timestamper()
            assert timestamper is not None  # needs_extension checked it
            extended = extend_to_lta(read_file(document), context, timestamper)
            before = {"level": document.level, "sha256": document.sha256}
            previous_name = document.file.name
            document.file.name = _store(_storage_name(document, "-lta"), extended)
            document.sha256 = sha256_hex(extended)
            document.level = LONG_TERM_LEVEL
            document.extended_at = timezone.now()
            document.last_error = ""
            document.save()
            audit.record(
                actor=None,
                action="document.extended",
                obj=document,
                before=before,
                after={"level": document.level, "sha256": document.sha256},
            )
            transaction.on_commit(lambda: _delete_quietly(previous_name))
    except Exception as exc:
        _record_failure(document_id, exc)
        raise
    return document


# --- Dispatching -----------------------------------------------------------------------------------


def _dispatch(task_name: str, document_id: int) -> bool:
    """Hand one document to the signing queue; False (and it stays as it is) if that fails."""
    from . import tasks

    task = getattr(tasks, task_name)
    try:
        task.delay(document_id)
    except Exception as exc:  # noqa: BLE001 - broker down, or an eager run failed: the sweep retries
        log.warning("%s(%s) did not complete: %s", task_name, document_id, exc)
        return False
    SignedDocument.objects.filter(pk=document_id).update(dispatched_at=timezone.now())
    return True


def dispatch_issue(document_id: int) -> bool:
    return _dispatch("issue_document", document_id)


def dispatch_extend(document_id: int) -> bool:
    return _dispatch("extend_document", document_id)


def dispatch_pending() -> int:
    """Send again what was never signed or extended, or seems lost; how many were sent."""
    now = timezone.now()
    stale = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REDISPATCH_AFTER)
    pending = SignedDocument.objects.filter(status=Status.PENDING, created_at__lt=now - GRACE)
    sent = sum(
        dispatch_issue(pk) for pk in pending.filter(stale).values_list("pk", flat=True)[:200]
    )
    if keys.timestamper() is not None:
        unextended = SignedDocument.objects.filter(
            status=Status.ISSUED, level="B-T", issued_at__lt=now - GRACE
        ).filter(stale)
        sent += sum(dispatch_extend(pk) for pk in unextended.values_list("pk", flat=True)[:200])
    return sent


# --- Revoking and re-issuing ----------------------------------------------------------------------


def _locked(document_id: int) -> SignedDocument:
    return (
        SignedDocument.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=document_id)
    )


def revoke(*, document_id: int, actor: User, reason: str) -> SignedDocument:
    """Declare an issued document no longer valid; verification says so, with the reason."""
    if not reason.strip():
        raise ActionRefused(_("Write the reason for revoking the document."))
    with transaction.atomic():
        document = _locked(document_id)
        if document.status != Status.ISSUED:
            raise ActionRefused(
                _("%(code)s is not an issued document (it is %(status)s).")
                % {"code": document.display_code, "status": document.get_status_display()}
            )
        document.status = Status.REVOKED
        document.status_reason = reason.strip()
        document.revoked_at = timezone.now()
        document.revoked_by = actor
        document.save(update_fields=["status", "status_reason", "revoked_at", "revoked_by"])
        audit.record(
            actor=actor,
            action="document.revoked",
            obj=document,
            before={"status": Status.ISSUED},
            after={"status": document.status, "reason": document.status_reason},
        )
    return document


def reissue(*, document_id: int, actor: User, reason: str) -> SignedDocument:
    """Replace a sealed document with a newly signed one (e.g. after correcting the case's data).

    The old one becomes superseded and verification points to the new one.
    Resolutions cannot be re-issued this way: only their official can sign.
    """
    if not reason.strip():
        raise ActionRefused(_("Write the reason for re-issuing the document."))
    with transaction.atomic():
        old = _locked(document_id)
        if old.status != Status.ISSUED:
            raise ActionRefused(_("Only an issued document can be re-issued."))
        if old.signer != SignedDocument.Signer.SEAL:
            raise ActionRefused(
                _("A document signed by an official cannot be re-issued with the seal.")
            )
        old.status = Status.SUPERSEDED
        old.status_reason = reason.strip()
        old.save(update_fields=["status", "status_reason"])
        extra = {k: v for k, v in old.facts.items() if k not in rendering.CASE_FACT_KEYS}
        new = _new_sealed(
            old.case, old.kind, old.key, rendering.case_facts(old.case, old.kind, extra)
        )
        old.superseded_by = new
        old.save(update_fields=["superseded_by"])
        audit.record(
            actor=actor,
            action="document.superseded",
            obj=old,
            before={"status": Status.ISSUED},
            after={"status": old.status, "reason": old.status_reason, "by": new.code},
        )
        audit.record(
            actor=actor,
            action="document.requested",
            obj=new,
            after={
                "case": old.case.reference,
                "kind": new.kind,
                "code": new.code,
                "replaces": old.code,
            },
        )
        transaction.on_commit(lambda: dispatch_issue(new.pk))
    return new


def retry_now(*, document_id: int) -> bool:
    """Send a pending or not yet extended document to the signing queue again (admin action)."""
    document = SignedDocument.objects.get(pk=document_id)
    if document.status == Status.PENDING:
        return dispatch_issue(document.pk)
    if needs_extension(document):
        return dispatch_extend(document.pk)
    return False
