"""Every kind of document through the whole pipeline: render, sign, store, extend, record."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from cryptography import x509
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from core import outbox
from core.models import AuditEvent, OutboxItem
from documents import keys, services
from documents.demo import enroll_demo_official
from documents.models import SignedDocument
from documents.signing.pki import SEAL_NAME
from documents.signing.sign import sha256_hex
from documents.signing.verify import verify_pdf
from procedures.models import CaseEvent
from procedures.services import outputs, review
from tests.engine.conftest import make_employee, make_resident

from .cases import (
    approve_steps,
    case_of,
    documents_of,
    open_task,
    run_pending_work,
    submitted_case,
    sync_versions,
)
from .support import SOFTHSM_MODULE, Token, files_of

pytestmark = pytest.mark.django_db

PIN = "2468"


@pytest.fixture
def versions(db, tmp_path):
    return sync_versions(tmp_path / "catalog")


@pytest.fixture
def applicant(versions):
    return make_resident("vecina@example.com", "30111222")


@pytest.fixture
def officials(versions):
    return {
        "mesa-de-entradas": make_employee("mesa@example.com", "mesa-de-entradas"),
        "rentas": make_employee("rentas@example.com", "rentas"),
    }


def issue_output(kind, versions, applicant, officials, capture) -> SignedDocument:
    """File a case whose output is ``kind``, approve it and run what follows the commit."""
    case = submitted_case(versions[kind if kind != "payment_receipt" else "certificate"], applicant)
    with capture(execute=True):
        if kind == "payment_receipt":
            outputs.request_payment_receipt(
                case=case,
                payment_reference="MP-123456789",
                amount_display="$ 1.500,00",
                method="Mercado Pago",
                paid_on="2026-11-20",
            )
        elif kind == "resolution":
            case = approve_steps(case, officials, steps=1)
            official = officials["rentas"]
            enroll_demo_official(official, role="Directora de Rentas", pin=PIN)
            task = open_task(case)
            review.claim(task_id=task.pk, user=official)
            case = review.decide(task_id=task.pk, user=official, decision="approve", pin=PIN)
        else:
            case = approve_steps(case, officials)
        run_pending_work(case)
    return documents_of(case).get(kind=kind)


def stored(document: SignedDocument) -> bytes:
    return services.read_file(document)


def text_of(pdf: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def independent_checks(pdf: bytes, directory: Path) -> None:
    path = directory / "document.pdf"
    path.write_bytes(pdf)
    pdfsig = subprocess.run(
        ["pdfsig", "-nocert", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(directory)},
    )
    assert "Signature is Valid." in pdfsig.stdout, pdfsig.stdout + pdfsig.stderr
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr


@pytest.mark.parametrize(
    "kind", ["certificate", "acknowledgement", "resolution", "payment_receipt"]
)
def test_every_kind_is_signed_stored_and_trusted(
    kind,
    versions,
    applicant,
    officials,
    tsa_configured,
    trust_roots: list[x509.Certificate],
    django_capture_on_commit_callbacks,
    tmp_path,
):
    document = issue_output(
        kind, versions, applicant, officials, django_capture_on_commit_callbacks
    )
    case = case_of(document)
    assert document.status == SignedDocument.Status.ISSUED
    assert document.level == "B-LTA"  # B-T at issue, then extended after the commit
    pdf = stored(document)
    assert document.sha256 == sha256_hex(pdf) != document.issued_sha256
    assert document.file.name == f"signed/procedures.case/{case.pk}/{document.code}-lta.pdf"
    # The file as first issued (B-T) was replaced by its extension.
    assert files_of(document) == [f"{document.code}-lta.pdf"]
    assert abs(document.timestamped_at - timezone.now()) < dt.timedelta(minutes=5)

    report = verify_pdf(pdf, trust_roots)
    assert report.authentic, report.reason
    assert report.level == "B-LTA"
    assert "INTACT:TRUSTED" in report.signatures[0].pyhanko_summary
    issued_at_level = AuditEvent.objects.get(action="document.issued", object_id=str(document.pk))
    assert issued_at_level.after["level"] == "B-T"
    independent_checks(pdf, tmp_path)

    reader = PdfFileReader(BytesIO(pdf))
    assert reader.root["/Lang"] == "es-AR"
    assert case.reference in str(reader.trailer["/Info"]["/Title"])
    assert str(reader.trailer["/Info"]["/Author"]) == "Municipalidad de Villa Demo"
    text = text_of(pdf)
    for fact in (case.reference, "Vecina 30111222", document.display_code, "/verificar/"):
        assert fact in text
    assert case.version.name_es in text  # the procedure
    if kind == "resolution":
        assert document.signer == SignedDocument.Signer.OFFICIAL
        assert report.signer_common_name == officials["rentas"].full_name
        assert f"{officials['rentas'].full_name}, Directora de Rentas" in text
        assert "/DocMDP" not in reader.root.get("/Perms", {})  # an approval signature
    else:
        assert document.signer == SignedDocument.Signer.SEAL
        assert report.signer_common_name == SEAL_NAME
        assert "sellado digitalmente" in text
        assert "/DocMDP" in reader.root["/Perms"]  # the seal certifies: no changes allowed
    if kind == "payment_receipt":
        assert "MP-123456789" in text and "$ 1.500,00" in text
    else:
        events = list(case.events.values_list("kind", flat=True))
        assert events[-2:] == [CaseEvent.Kind.APPROVED, CaseEvent.Kind.OUTPUT_READY]
        assert case.output == document


def test_without_a_tsa_documents_are_b_b_and_not_extended(
    versions, applicant, officials, settings, trust_roots, django_capture_on_commit_callbacks
):
    settings.SIGNING_TSA_URL = ""
    document = issue_output(
        "certificate", versions, applicant, officials, django_capture_on_commit_callbacks
    )
    assert (document.status, document.level, document.timestamped_at) == ("issued", "B-B", None)
    assert document.sha256 == document.issued_sha256
    report = verify_pdf(stored(document), trust_roots)
    assert report.authentic and report.level == "B-B"


def test_a_re_run_after_a_crash_leaves_exactly_one_signed_file(
    versions, applicant, officials, monkeypatch, django_capture_on_commit_callbacks
):
    case = submitted_case(versions["certificate"], applicant)
    document = outputs.produce_output(approve_steps(case, officials))  # no commit: not dispatched
    assert outputs.produce_output(case) == document
    real_record = services.audit.record

    def crash_after_storing(**kwargs):
        if kwargs["action"] == "document.issued":
            raise SystemExit("worker killed")  # the file is stored, the row not yet committed
        return real_record(**kwargs)

    monkeypatch.setattr(services.audit, "record", crash_after_storing)
    with pytest.raises(SystemExit):
        services.issue(document.pk)
    monkeypatch.undo()
    document.refresh_from_db()
    assert document.status == SignedDocument.Status.PENDING
    assert files_of(document) == []  # the rollback took the stored file with it
    # A worker killed outright (no rollback in Python) leaves its file behind.
    default_storage.save(f"signed/{case.pk}/{document.code}.pdf", ContentFile(b"%PDF-half"))

    with django_capture_on_commit_callbacks(execute=True):
        services.issue(document.pk)
        services.issue(document.pk)  # a second delivery of the same task
    document.refresh_from_db()
    assert document.status == SignedDocument.Status.ISSUED
    assert documents_of(case).count() == 1
    assert files_of(document) == [f"{document.code}.pdf"]
    assert sha256_hex(stored(document)) == document.sha256
    assert case.events.filter(kind=CaseEvent.Kind.OUTPUT_READY).count() == 1


def test_tsa_outage_keeps_the_document_pending_until_the_sweep_signs_it(
    client,
    versions,
    applicant,
    officials,
    tsa_configured,
    tsa_switch,
    django_capture_on_commit_callbacks,
):
    tsa_switch.set("down")
    case = approve_steps(submitted_case(versions["certificate"], applicant), officials)
    with django_capture_on_commit_callbacks(execute=True):
        run_pending_work(case)  # the output is requested; signing it fails
    document = documents_of(case).get()
    assert document.status == SignedDocument.Status.PENDING
    assert document.attempts == 1 and "TimestampRequestError" in document.last_error
    assert case.output is None

    client.force_login(officials["rentas"])
    page = client.get(f"/gestion/expedientes/{case.reference}/").content.decode()
    assert document.display_code in page and "se reintenta automáticamente" in page

    tsa_switch.set("up")
    assert outbox.dispatch_pending() == 0  # its own dispatch may still be under way
    OutboxItem.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.dispatch_pending() == 1
    document.refresh_from_db()
    assert (document.status, document.level, document.last_error) == ("issued", "B-LTA", "")
    assert document.attempts == 2
    assert case.output == document


def test_carried_over_outputs_are_sealed_with_todays_details(
    versions, applicant, officials, django_capture_on_commit_callbacks
):
    case = approve_steps(submitted_case(versions["certificate"], applicant), officials)
    # What migration documents 0002 leaves for an output made before signing existed.
    document = SignedDocument.objects.create(
        subject_type="procedures.case",
        subject_id=str(case.pk),
        kind="certificate",
        template="procedures/pdf/certificate.html",
        code="ABCDEFGHJKMN",
        signer="seal",
        title="certificate",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.issue(document.pk)
    document.refresh_from_db()
    assert document.status == "issued"
    assert document.title == "Certificado de habilitación de prueba"
    assert document.signer_name == "Municipalidad de Villa Demo"
    assert "ABCD-EFGH-JKMN" in text_of(stored(document))


def test_the_seal_can_live_on_a_pkcs11_token(
    versions,
    applicant,
    officials,
    settings,
    softhsm_tokens: dict[str, Token],
    trust_roots,
    django_capture_on_commit_callbacks,
):
    token = softhsm_tokens["municipalidad"]
    settings.SIGNING_SEAL_BACKEND = "pkcs11"
    settings.SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    settings.SIGNING_SEAL_PKCS11_TOKEN = token.label
    settings.SIGNING_SEAL_PKCS11_KEY = token.key_label
    settings.SIGNING_SEAL_PKCS11_PIN = token.pin
    first = issue_output(
        "certificate", versions, applicant, officials, django_capture_on_commit_callbacks
    )
    second = issue_output(
        "payment_receipt", versions, applicant, officials, django_capture_on_commit_callbacks
    )
    seal = keys.seal()
    assert keys.seal() is seal  # one token session per process, kept open
    for document in (first, second):
        report = verify_pdf(stored(document), trust_roots)
        assert report.authentic, report.reason
        assert report.signer_common_name == SEAL_NAME


def test_nothing_is_signed_with_the_demo_keys_outside_development(
    versions, applicant, officials, settings, django_capture_on_commit_callbacks
):
    settings.SIGNING_DEMO_PKI = False  # production's default: DEBUG off, no key configured
    case = submitted_case(versions["certificate"], applicant)
    with django_capture_on_commit_callbacks(execute=True):
        case = approve_steps(case, officials)
        run_pending_work(case)
    document = documents_of(case).get()
    assert document.status == SignedDocument.Status.PENDING
    assert not document.file and not files_of(document)
    assert "the demo PKI is off" in document.last_error
    assert document.attempts == 1
