"""Issuing signed documents: request, sign (seal or official), extend, revoke, re-issue.

A document is about a subject of a higher app (``documents.hooks``), which
gives its content (``DocumentContent``: template, facts, title) and hears
what happens to it. Sealed documents follow the outbox: ``request_document``
writes a PENDING row and an outbox item in the caller's transaction; once it
commits the signing queue renders, seals (PAdES B-T, or B-B without a TSA),
stores the file under a name fixed by the document's code and marks the row
issued, all under the row's lock: an item run twice, or re-run after its
worker died half-way, leaves exactly one signed file. ``extend`` then adds
long-term validation data and an archive timestamp (B-LTA).

An official signs with the PIN they just typed (``sign_with_official``), in
the request that needs the signature: the PIN is never stored, queued or logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import mail_admins, send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from pyhanko.sign.timestamps import TimestampRequestError

from accounts.models import User
from core import audit, outbox, privatepages, storage
from core.errors import ActionRefused
from core.models import OutboxItem

from . import hooks, keys, rendering
from .hooks import DocumentContent
from .models import OfficialSigningKey, SignedDocument, new_code
from .signing.sign import extend_to_lta, sha256_hex, sign_pdf, timestamp_time
from .signing.signers import TokenKeyNotFound, TokenPinIncorrect, TokenPinLocked, TokenUnavailable
from .signing.verify import lta_validation_context

log = logging.getLogger(__name__)

Status = SignedDocument.Status
ISSUE = "documents.issue"
EXTEND = "documents.extend"
LONG_TERM_LEVEL = "B-LTA"


class SigningRefused(ActionRefused):
    """The official's signature could not be made (PIN, key, token); the message says why."""


class WrongPin(SigningRefused):
    """The PIN did not unlock the key. The caller records it with ``record_wrong_pin`` once
    its transaction has rolled back (a record made inside it would roll back too)."""


# --- Storage -----------------------------------------------------------------------------------


def _storage_name(document: SignedDocument, suffix: str = "") -> str:
    return f"signed/{document.subject_type}/{document.subject_id}/{document.code}{suffix}.pdf"


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


def current_document(subject: models.Model, kind: str, key: str = "") -> SignedDocument | None:
    """The pending or issued document of this kind and key about ``subject``."""
    return SignedDocument.objects.filter(
        subject_type=hooks.subject_type(subject),
        subject_id=str(subject.pk),
        kind=kind,
        key=key,
        status__in=SignedDocument.CURRENT_STATUSES,
    ).first()


def _new_sealed(
    *, subject_type: str, subject_id: str, kind: str, key: str, content: DocumentContent
) -> SignedDocument:
    return SignedDocument.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=content.subject_label[:300],
        kind=kind,
        key=key,
        template=content.template,
        code=new_code(),
        signer=SignedDocument.Signer.SEAL,
        signer_name=settings.MUNICIPALITY_NAME,
        signer_role=rendering.SEAL_ROLE,
        title=content.title[:300],
        facts=content.facts,
    )


def _requested(document: SignedDocument, *, actor: User | None, **after: str) -> None:
    """Audit the request; the document is signed once the transaction commits."""
    audit.record(
        actor=actor,
        action="document.requested",
        obj=document,
        after={
            "about": document.subject_label,
            "kind": document.kind,
            "key": document.key,
            "code": document.code,
            **after,
        },
    )
    outbox.enqueue(ISSUE, {"document_id": document.pk}, subject=document)


def request_document(
    *,
    subject: models.Model,
    kind: str,
    content: DocumentContent,
    key: str = "",
    actor: User | None = None,
) -> SignedDocument:
    """Ask for a document sealed by the municipality; it is signed once this transaction commits.

    Idempotent: while a document of this subject, kind and key is pending or
    issued, that one is returned (and ``content`` is not used).
    """
    existing = current_document(subject, kind, key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            document = _new_sealed(
                subject_type=hooks.subject_type(subject),
                subject_id=str(subject.pk),
                kind=kind,
                key=key,
                content=content,
            )
            _requested(document, actor=actor)
    except IntegrityError:
        # Requested at the same moment by someone else: theirs is the one.
        existing = current_document(subject, kind, key)
        if existing is None:
            raise
        return existing
    return document


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
    SignedDocument.STATES.move(document, Status.ISSUED)
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
    hooks.hooks_for(document).issued(hooks.subject_of(document), document, actor=actor)
    if needs_extension(document):
        outbox.enqueue(EXTEND, {"document_id": document.pk}, subject=document)


def _seal(document: SignedDocument, pdf: bytes) -> bytes:
    with keys.seal().session() as signer:
        return sign_pdf(
            pdf,
            signer,
            certify=True,
            timestamper=keys.timestamper(),
            field_name="SelloMunicipal",
            reason=f"{document.title} — {document.subject_label}",
            location=settings.MUNICIPALITY_NAME,
        )


def _fill_content(document: SignedDocument) -> None:
    """A document carried over from before signing existed gets its content now."""
    content = hooks.hooks_for(document).fresh_content(hooks.subject_of(document), document)
    if content is None:
        raise RuntimeError(f"nothing to sign: {document.subject_type} gives no content")
    document.facts = content.facts
    document.title = content.title[:300]
    document.template = content.template
    document.subject_label = content.subject_label[:300]
    document.signer_name = settings.MUNICIPALITY_NAME
    document.signer_role = rendering.SEAL_ROLE


def issue(document_id: int) -> SignedDocument | None:
    """Render, seal, store and record a pending document; nothing to do if it is not pending."""
    with transaction.atomic():
        document = (
            SignedDocument.objects.select_for_update(of=("self",)).filter(pk=document_id).first()
        )
        if document is None or document.status != Status.PENDING:
            return document
        if not document.facts:
            _fill_content(document)
        signed = _seal(document, rendering.render_document(document))
        _finish_issue(document, signed, actor=None)
    return document


def _record_failure(*, document_id: int, error: str) -> None:
    """A signing attempt failed (outbox ``on_failure``): the document and its subject say so."""
    SignedDocument.objects.filter(pk=document_id).update(
        attempts=F("attempts") + 1, last_error=error
    )
    document = SignedDocument.objects.filter(pk=document_id).first()
    if document is not None:
        privatepages.changed(*privatepages.scopes_of(document))  # update() sent no signal
    if document is not None and document.status == Status.PENDING:
        hooks.hooks_for(document).failed(hooks.subject_of(document), document, error=error)


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
def sign_with_official(
    *,
    subject: models.Model,
    kind: str,
    content: DocumentContent,
    official: User,
    pin: str,
    key: str = "",
) -> SignedDocument:
    """Sign a document with the official's own key, now, and record it.

    Call inside the transaction of the decision it signs, before changing
    anything: a refusal (``SigningRefused``: wrong PIN, key missing, token
    unreachable) then leaves everything as it was, and so does an unreachable TSA.
    """
    existing = current_document(subject, kind, key)
    if existing is not None:
        return existing
    signing_key = _official_key(official)
    _refuse_while_locked(signing_key)
    document = SignedDocument(
        subject_type=hooks.subject_type(subject),
        subject_id=str(subject.pk),
        subject_label=content.subject_label[:300],
        kind=kind,
        key=key,
        template=content.template,
        code=new_code(),
        signer=SignedDocument.Signer.OFFICIAL,
        signed_by=official,
        signer_name=official.full_name or official.email,
        signer_role=signing_key.role,
        title=content.title[:300],
        facts=content.facts,
    )
    pdf = rendering.render_document(document)
    sign = {
        "certify": False,
        "field_name": "FirmaFuncionario",
        "reason": f"{document.title} — {document.subject_label}",
        "location": settings.MUNICIPALITY_NAME,
    }
    try:
        with keys.official_backend(signing_key).session(pin=pin) as signer:
            signed = sign_pdf(pdf, signer, timestamper=keys.timestamper(), **sign)
    except TimestampRequestError as exc:
        # B-T is due at issue time, and the PIN cannot wait for the TSA to come back.
        log.warning("TSA unavailable signing %s: %s", document.subject_label, exc)
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
    if signing_key.failed_pin_attempts:
        OfficialSigningKey.objects.filter(pk=signing_key.pk).update(failed_pin_attempts=0)
    _finish_issue(document, signed, actor=official)
    return document


# --- Long-term validation ------------------------------------------------------------------------


def extend(document_id: int) -> SignedDocument | None:
    """Add validation data and an archive timestamp (B-LTA) to an issued document."""
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
    return document


def register_handlers() -> None:
    """The signing queue's work, through the outbox (its own queue: a slow token or TSA never
    delays e-mails and cases)."""

    def issue_document(*, document_id: int) -> None:
        issue(document_id)

    def extend_document(*, document_id: int) -> None:
        extend(document_id)

    outbox.register(ISSUE, issue_document, queue="signing", on_failure=_record_failure)
    outbox.register(EXTEND, extend_document, queue="signing", on_failure=_record_failure)


def retry_now(*, document_id: int) -> bool:
    """Send a document's waiting signing work to the queue again (admin action)."""
    waiting = OutboxItem.objects.filter(
        subject_type=SignedDocument._meta.label_lower,
        subject_id=str(document_id),
        done_at__isnull=True,
    ).values_list("pk", flat=True)
    return any([outbox.dispatch(pk) for pk in waiting])


# --- Revoking and re-issuing ----------------------------------------------------------------------


def _locked(document_id: int) -> SignedDocument:
    return SignedDocument.objects.select_for_update().get(pk=document_id)


def revoke(*, document_id: int, actor: User, reason: str) -> SignedDocument:
    """Declare an issued document no longer valid; verification says so, with the reason."""
    if not reason.strip():
        raise ActionRefused(_("Write the reason for revoking the document."))
    with transaction.atomic():
        document = _locked(document_id)
        SignedDocument.STATES.move(
            document,
            Status.REVOKED,
            refusal=_("%(code)s is not an issued document (it is %(status)s).")
            % {"code": document.display_code, "status": document.get_status_display()},
        )
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
        hooks.hooks_for(document).revoked(
            hooks.subject_of(document), document, actor=actor, reason=document.status_reason
        )
    return document


def reissue(*, document_id: int, actor: User, reason: str) -> SignedDocument:
    """Replace a sealed document with a newly signed one (e.g. after correcting its subject).

    The old one becomes superseded and verification points to the new one. The
    subject's app gives the content as of today (``SubjectHooks.fresh_content``).
    Documents signed by an official cannot be re-issued this way: only they can sign.
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
        subject_hooks, subject = hooks.hooks_for(old), hooks.subject_of(old)
        content = subject_hooks.fresh_content(subject, old) if subject is not None else None
        if content is None:
            raise ActionRefused(_("This document cannot be re-issued."))
        SignedDocument.STATES.move(old, Status.SUPERSEDED)
        old.status_reason = reason.strip()
        old.save(update_fields=["status", "status_reason"])
        new = _new_sealed(
            subject_type=old.subject_type,
            subject_id=old.subject_id,
            kind=old.kind,
            key=old.key,
            content=content,
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
        subject_hooks.revoked(subject, old, actor=actor, reason=old.status_reason)
        _requested(new, actor=actor, replaces=old.code)
    return new
