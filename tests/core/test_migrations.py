"""Rows written before the outbox and before documents had subjects carry over."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("core", "0001_initial"),
    ("procedures", "0002_delete_caseoutput"),
    ("documents", "0002_carry_over_case_outputs"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return [node for node in executor.loader.graph.leaf_nodes()]


def test_pending_work_and_case_documents_move_to_the_outbox_and_to_subjects():
    old = _migrate(BEFORE)
    user = old.get_model("accounts", "User").objects.create(email="vecina@example.com")
    category = old.get_model("procedures", "Category").objects.create(code="c", names={"es": "C"})
    kind = old.get_model("procedures", "ProcedureType").objects.create(
        code="poda", audience="resident", category=category
    )
    version = old.get_model("procedures", "ProcedureVersion").objects.create(
        procedure_type=kind,
        number=1,
        status="published",
        definition={},
        content_hash="x",
        name_es="Poda de árboles",
        name_en="Tree pruning",
        name_it="Potatura",
        fee_kind="none",
        deadline_business_days=10,
    )
    case = old.get_model("procedures", "Case").objects.create(
        reference="EXP-2026-000007", version=version, applicant=user, filed_by=user
    )
    work = old.get_model("procedures", "PendingWork")
    work.objects.create(case=case, kind="notify", payload={"event": "approved"}, attempts=2)
    work.objects.create(case=case, kind="produce_output", done_at="2026-01-02T10:00:00Z")
    documents = old.get_model("documents", "SignedDocument")
    pending = documents.objects.create(
        case=case, kind="certificate", code="ABCDEFGHJKMN", signer="seal", title="certificado"
    )
    issued = documents.objects.create(
        case=case,
        kind="payment_receipt",
        key="MP-1",
        code="BCDEFGHJKMNP",
        signer="seal",
        title="Comprobante de pago",
        status="issued",
        level="B-T",
        facts={"reference": "EXP-2026-000007", "paid_on": "2026-01-02"},
    )

    new = _migrate(_latest())

    items = new.get_model("core", "OutboxItem").objects.order_by("kind")
    assert [(i.kind, i.payload, i.subject_type, i.subject_id, i.attempts) for i in items] == [
        (
            "documents.extend",
            {"document_id": issued.pk},
            "documents.signeddocument",
            str(issued.pk),
            0,
        ),
        (
            "documents.issue",
            {"document_id": pending.pk},
            "documents.signeddocument",
            str(pending.pk),
            0,
        ),
        (
            "procedures.notify",
            {"case_id": case.pk, "event": "approved"},
            "procedures.case",
            str(case.pk),
            2,
        ),
    ]
    moved = new.get_model("documents", "SignedDocument").objects.order_by("pk")
    assert [
        (d.subject_type, d.subject_id, d.subject_label, d.template, d.facts.get("kind_title"))
        for d in moved
    ] == [
        (
            "procedures.case",
            str(case.pk),
            "Expediente EXP-2026-000007 (Poda de árboles)",
            "procedures/pdf/certificate.html",
            None,  # carried over without facts: they are filled when it is signed
        ),
        (
            "procedures.case",
            str(case.pk),
            "Expediente EXP-2026-000007 (Poda de árboles)",
            "procedures/pdf/payment_receipt.html",
            "Comprobante de pago",
        ),
    ]


def test_every_migration_runs_on_the_embedded_sqlite_database(tmp_path):
    """`make run` migrates a fresh SQLite file: PostgreSQL-only SQL must be guarded."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
