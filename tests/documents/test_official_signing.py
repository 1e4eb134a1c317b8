"""An official approves a resolution through the task page, signing it with their own token."""

from __future__ import annotations

import logging

import pytest
from viewflow.workflow.models import Task

from core.models import AuditEvent
from documents import services
from documents.models import OfficialSigningKey, SignedDocument
from documents.signing.verify import verify_pdf
from procedures.models import Case
from tests.engine.conftest import make_employee, make_resident

from .cases import (
    approve_steps,
    documents_of,
    open_task,
    run_pending_work,
    submitted_case,
    sync_versions,
)
from .support import SOFTHSM_MODULE, Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(softhsm_tokens: dict[str, Token], settings) -> Token:
    settings.SIGNING_OFFICIAL_BACKEND = "pkcs11"
    settings.SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    return softhsm_tokens["firma-27111222"]


@pytest.fixture
def official(db, tmp_path, token: Token):
    versions = sync_versions(tmp_path / "catalog")
    user = make_employee("rentas@example.com", "rentas")
    user.full_name = token.full_name
    user.save()
    OfficialSigningKey.objects.create(
        user=user, role="Directora de Rentas", token_label=token.label, key_label=token.key_label
    )
    desk = make_employee("mesa@example.com", "mesa-de-entradas")
    applicant = make_resident("vecina@example.com", "30111222")
    case = submitted_case(versions["resolution"], applicant)
    user.case = approve_steps(case, {"mesa-de-entradas": desk}, steps=1)
    return user


def claimed_task(client, official) -> Task:
    client.force_login(official)
    task = open_task(official.case)
    client.post(f"/gestion/tareas/{task.pk}/tomar/")
    return task


def decide(client, task: Task, pin: str | None):
    data = {"decision": "approve"}
    if pin is not None:
        data["pin"] = pin
    return client.post(f"/gestion/tareas/{task.pk}/decidir/", data)


def assert_nothing_changed(official, task: Task) -> None:
    case = Case.objects.get(pk=official.case.pk)
    assert (case.status, case.current_step) == (Case.Status.SUBMITTED, 1)
    task.refresh_from_db()
    assert (task.status, task.owner_id) == ("ASSIGNED", official.pk)  # still theirs to approve
    assert not documents_of(case).exists()
    assert not AuditEvent.objects.filter(
        action="case.approve", object_id=str(case.pk), actor=official
    ).exists()


def test_approval_signs_the_resolution_with_the_officials_token(
    client,
    official,
    token: Token,
    tsa_configured,
    trust_roots,
    caplog,
    django_capture_on_commit_callbacks,
):
    task = claimed_task(client, official)
    page = client.get(f"/gestion/tareas/{task.pk}/").content.decode()
    assert 'type="password"' in page and 'name="pin"' in page

    response = decide(client, task, "")
    assert response.status_code == 400
    assert "Ingresá tu PIN de firma" in response.content.decode()
    assert_nothing_changed(official, task)

    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        response = decide(client, task, token.pin)
        assert response.status_code == 302, response.content.decode()[:3000]
        run_pending_work(official.case)
    case = Case.objects.get(pk=official.case.pk)
    assert case.status == Case.Status.APPROVED
    document = case.output
    assert (document.kind, document.signer, document.signed_by) == (
        "resolution",
        "official",
        official,
    )
    assert document.signer_role == "Directora de Rentas"
    report = verify_pdf(services.read_file(document), trust_roots)
    assert report.authentic, report.reason
    assert report.signer_common_name == token.full_name
    assert report.level == "B-LTA"  # B-T when signed, extended after the commit
    assert case.events.last().kind == "output_ready"

    # The PIN went nowhere: not in the logs, the audit trail, or any stored row.
    assert token.pin not in caplog.text
    for event in AuditEvent.objects.all():
        assert token.pin not in f"{event.before} {event.after} {event.summary}"
    assert token.pin not in str(list(SignedDocument.objects.values()))

    client.force_login(case.applicant)
    download = client.get(f"/mis-tramites/{case.reference}/resultado/")
    assert b"".join(download.streaming_content) == services.read_file(document)


def test_a_wrong_pin_is_a_form_error_and_changes_nothing(client, official, token: Token, caplog):
    task = claimed_task(client, official)
    wrong = "0" + token.pin[1:] if token.pin[0] != "0" else "1" + token.pin[1:]
    with caplog.at_level(logging.DEBUG):
        response = decide(client, task, wrong)
    assert response.status_code == 400
    page = response.content.decode()
    assert "El PIN no es correcto" in page
    assert wrong not in page and wrong not in caplog.text
    assert_nothing_changed(official, task)
    # The official tries again with the right PIN.
    assert decide(client, task, token.pin).status_code == 302
    assert Case.objects.get(pk=official.case.pk).status == Case.Status.APPROVED


def test_a_key_missing_from_the_token_is_a_clear_error(client, official, token: Token):
    OfficialSigningKey.objects.filter(user=official).update(key_label="no-such-key")
    task = claimed_task(client, official)
    response = decide(client, task, token.pin)
    assert response.status_code == 400
    assert "no se encontró en tu token" in response.content.decode()
    assert_nothing_changed(official, task)


def test_an_official_without_a_registered_key_cannot_sign(client, official, token: Token):
    OfficialSigningKey.objects.filter(user=official).delete()
    task = claimed_task(client, official)
    page = client.get(f"/gestion/tareas/{task.pk}/").content.decode()
    assert "no tenés ninguna registrada" in page
    response = decide(client, task, token.pin)
    assert response.status_code == 400
    assert "No tenés una clave de firma registrada" in response.content.decode()
    assert_nothing_changed(official, task)


def test_tsa_down_at_approval_is_a_clear_error_and_changes_nothing(
    client, official, token: Token, tsa_configured, tsa_switch
):
    task = claimed_task(client, official)
    tsa_switch.set("down")
    response = decide(client, task, token.pin)
    assert response.status_code == 400
    assert "La autoridad de sellado de tiempo no responde" in response.content.decode()
    assert_nothing_changed(official, task)
    tsa_switch.set("up")
    assert decide(client, task, token.pin).status_code == 302
    assert documents_of(official.case).get().level == "B-T"
