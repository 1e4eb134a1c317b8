import pytest
from django.core import mail
from viewflow.workflow.models import Task

from core.models import AuditEvent
from procedures.models import Case, CaseEvent
from tests.engine.conftest import PDF_BYTES, pdf_file
from tests.engine.test_resident_filing import GOOD_SECTION_0, GOOD_SECTION_1, file_case, start

pytestmark = pytest.mark.django_db


def open_task(case: Case) -> Task:
    return Task.objects.get(
        process_id=case.process_id, status__in=["NEW", "ASSIGNED"], flow_task_type="HUMAN"
    )


@pytest.fixture
def submitted(client, version, applicant, django_capture_on_commit_callbacks) -> Case:
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(client)
    client.logout()
    mail.outbox.clear()
    return case


def test_queue_shows_a_task_only_to_the_department_of_its_step(
    client, submitted, desk_clerk, revenue_officer
):
    client.force_login(desk_clerk)
    page = client.get("/gestion/cola/").content.decode()
    assert submitted.reference in page and "1 tarea" in page
    client.force_login(revenue_officer)
    assert submitted.reference not in client.get("/gestion/cola/").content.decode()
    task = open_task(submitted)
    # Rentas acts later on this case, so it may read it, but not take the desk's step.
    response = client.post(f"/gestion/tareas/{task.pk}/tomar/", follow=True)
    assert "Tus áreas no pueden actuar en este paso" in response.content.decode()
    assert Task.objects.get(pk=task.pk).owner is None

    from tests.engine.conftest import make_employee

    outsider = make_employee("catastro@example.com", "catastro")
    client.force_login(outsider)
    assert client.get(f"/gestion/tareas/{task.pk}/").status_code == 403
    assert client.post(f"/gestion/tareas/{task.pk}/tomar/").status_code == 403
    assert client.get(f"/gestion/expedientes/{submitted.reference}/").status_code == 403


def test_correction_round_trip_then_two_approvals_produce_the_document(
    client, submitted, applicant, desk_clerk, revenue_officer, django_capture_on_commit_callbacks
):
    task = open_task(submitted)
    client.force_login(desk_clerk)
    client.post(f"/gestion/tareas/{task.pk}/tomar/")
    assert (
        "Kiosco" in client.get("/gestion/").content.decode()
        or submitted.reference in client.get("/gestion/").content.decode()
    )

    response = client.post(f"/gestion/tareas/{task.pk}/decidir/", {"decision": "correction"})
    assert response.status_code == 400
    assert "Escribí un mensaje" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/gestion/tareas/{task.pk}/decidir/",
            {
                "decision": "correction",
                "message": "El DNI no se lee; subilo de nuevo.",
                "correction_fields": ["dni"],
            },
        )
    submitted.refresh_from_db()
    assert submitted.status == Case.Status.CORRECTION
    assert submitted.paused_since is not None
    assert "necesita una corrección" in mail.outbox[-1].subject
    assert "El DNI no se lee" in mail.outbox[-1].body

    client.force_login(applicant)
    page = client.get(f"/mis-tramites/{submitted.reference}/").content.decode()
    assert "El DNI no se lee" in page and "Corregir y enviar" in page
    form = client.get(f"/mis-tramites/{submitted.reference}/corregir/").content.decode()
    assert "DNI del titular" in form and "Nombre de fantasía" not in form  # only what was named
    response = client.post(
        f"/mis-tramites/{submitted.reference}/corregir/",
        {"documents-dni": pdf_file("dni-legible.pdf")},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Case.Status.SUBMITTED
    assert submitted.documents.get(replaced=False).original_name == "dni-legible.pdf"
    assert submitted.documents.filter(replaced=True).count() == 1

    client.force_login(desk_clerk)
    task = open_task(submitted)
    client.post(f"/gestion/tareas/{task.pk}/tomar/")
    client.post(f"/gestion/tareas/{task.pk}/decidir/", {"decision": "approve"})
    submitted.refresh_from_db()
    assert submitted.current_department == "rentas"

    client.force_login(revenue_officer)
    task = open_task(submitted)
    assert submitted.reference in client.get("/gestion/cola/").content.decode()
    client.post(f"/gestion/tareas/{task.pk}/tomar/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/gestion/tareas/{task.pk}/decidir/", {"decision": "approve"})
    submitted.refresh_from_db()
    assert submitted.status == Case.Status.APPROVED
    assert submitted.process.status == "DONE"

    client.force_login(applicant)
    download = client.get(f"/mis-tramites/{submitted.reference}/resultado/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    kinds = list(submitted.events.values_list("kind", flat=True))
    assert kinds == [
        "submitted",
        "correction_requested",
        "resubmitted",
        "step_approved",
        "step_approved",
        "approved",
        "output_ready",
    ]
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(submitted.pk), object_type="procedures.case"
        ).values_list("action", flat=True)
    )
    assert {
        "case.submitted",
        "task.claimed",
        "case.correction",
        "case.resubmitted",
        "case.approve",
        "case.approved",
        "case.output_produced",
    } <= actions


def test_rejection_needs_a_reason_and_tells_the_applicant(
    client, submitted, applicant, desk_clerk, django_capture_on_commit_callbacks
):
    task = open_task(submitted)
    client.force_login(desk_clerk)
    client.post(f"/gestion/tareas/{task.pk}/tomar/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/gestion/tareas/{task.pk}/decidir/",
            {"decision": "reject", "message": "El rubro no está permitido en la zona."},
        )
    submitted.refresh_from_db()
    assert submitted.status == Case.Status.REJECTED
    assert "rechazado" in mail.outbox[-1].subject
    client.force_login(applicant)
    assert (
        "El rubro no está permitido"
        in client.get(f"/mis-tramites/{submitted.reference}/").content.decode()
    )


def test_acting_on_a_task_that_moved_on_changes_nothing(client, submitted, desk_clerk):
    from tests.engine.conftest import make_employee

    colleague = make_employee("mesa2@example.com", "mesa-de-entradas")
    task = open_task(submitted)
    client.force_login(desk_clerk)
    client.post(f"/gestion/tareas/{task.pk}/tomar/")
    client.force_login(colleague)
    response = client.post(f"/gestion/tareas/{task.pk}/tomar/", follow=True)
    assert "Otra persona ya tomó esta tarea" in response.content.decode()
    response = client.post(
        f"/gestion/tareas/{task.pk}/decidir/", {"decision": "approve"}, follow=True
    )
    assert "ya no está asignada a vos" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.current_step == 0
    assert Task.objects.get(pk=task.pk).owner == desk_clerk


def test_employee_assigns_a_task_to_a_colleague_and_can_release_it(client, submitted, desk_clerk):
    from tests.engine.conftest import make_employee

    colleague = make_employee("mesa2@example.com", "mesa-de-entradas")
    task = open_task(submitted)
    client.force_login(desk_clerk)
    client.post(f"/gestion/tareas/{task.pk}/asignar/", {"assignee": colleague.pk})
    assert Task.objects.get(pk=task.pk).owner == colleague
    client.force_login(colleague)
    assert submitted.reference in client.get("/gestion/").content.decode()
    client.post(f"/gestion/tareas/{task.pk}/liberar/")
    assert Task.objects.get(pk=task.pk).owner is None


def test_internal_notes_are_not_shown_to_the_applicant(client, submitted, applicant, desk_clerk):
    client.force_login(desk_clerk)
    client.post(f"/gestion/expedientes/{submitted.reference}/nota/", {"text": "Llamar al titular"})
    assert (
        "Llamar al titular"
        in client.get(f"/gestion/expedientes/{submitted.reference}/").content.decode()
    )
    client.force_login(applicant)
    assert (
        "Llamar al titular"
        not in client.get(f"/mis-tramites/{submitted.reference}/").content.decode()
    )
    assert CaseEvent.objects.get(kind="note").public is False


def test_employee_files_on_behalf_of_a_resident_at_the_counter(
    client, version, applicant, desk_clerk, django_capture_on_commit_callbacks
):
    from tests.engine.test_resident_filing import fill_until_review

    client.force_login(desk_clerk)
    response = client.post(
        "/gestion/iniciar/",
        {
            "procedure": "habilitacion-de-prueba",
            "applicant": "30.111.222",
            "channel": "counter",
            "office": "cav-norte",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == f"/mis-tramites/borradores/{case.pk}/seccion/0/"
    assert (case.applicant, case.filed_by, case.channel) == (applicant, desk_clerk, "counter")
    assert case.office_code == "cav-norte"
    fill_until_review(client, case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mis-tramites/borradores/{case.pk}/revisar/")
    case.refresh_from_db()
    assert response["Location"] == f"/gestion/expedientes/{case.reference}/"
    assert case.events.get().kind == CaseEvent.Kind.ASSISTED
    assert mail.outbox[-1].to == [applicant.email]
    assert "a tu nombre" in mail.outbox[-1].subject
    client.force_login(applicant)
    assert case.reference in client.get("/mis-tramites/").content.decode()


def test_employee_files_an_internal_procedure(client, version, revenue_officer):
    client.force_login(revenue_officer)
    page = client.get("/gestion/iniciar/").content.decode()
    assert "Pedido interno de prueba" in page
    response = client.post("/gestion/iniciar/pedido-interno-de-prueba/")
    case = Case.objects.get()
    assert case.channel == Case.Channel.INTERNAL and case.applicant == revenue_officer
    client.post(response["Location"], {"detalle": "Necesitamos toner"})
    client.post(f"/mis-tramites/borradores/{case.pk}/revisar/")
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.events.get().kind == CaseEvent.Kind.SUBMITTED


def test_overdue_cases_are_flagged_and_filterable(client, submitted, desk_clerk):
    import datetime as dt

    # Saved as the services save a case (a change sent without signals would need
    # core.privatepages.changed for the cached queue to show it).
    submitted.due_date = dt.date(2020, 1, 2)
    submitted.save(update_fields=["due_date"])
    client.force_login(desk_clerk)
    page = client.get("/gestion/cola/").content.decode()
    assert "Vencido" in page
    assert submitted.reference in client.get("/gestion/cola/?vencidos=1").content.decode()
    submitted.due_date = dt.date(2099, 1, 2)
    submitted.save(update_fields=["due_date"])
    assert submitted.reference not in client.get("/gestion/cola/?vencidos=1").content.decode()


def test_internal_procedures_are_hidden_from_the_public(client, version, applicant, desk_clerk):
    assert client.get("/tramites/pedido-interno-de-prueba/").status_code == 404
    client.force_login(applicant)
    assert client.get("/tramites/pedido-interno-de-prueba/").status_code == 404
    assert client.post("/tramites/pedido-interno-de-prueba/iniciar/").status_code == 404
    client.force_login(desk_clerk)
    assert client.get("/tramites/pedido-interno-de-prueba/").status_code == 200


def test_assisted_filing_explains_what_is_missing(client, version, applicant, desk_clerk):
    client.force_login(desk_clerk)
    html = client.post(
        "/gestion/iniciar/",
        {
            "applicant": "nadie@example.com",
            "channel": "phone",
            "procedure": "habilitacion-de-prueba",
        },
    ).content.decode()
    assert "No hay una cuenta de vecino" in html
    html = client.post(
        "/gestion/iniciar/", {"applicant": applicant.email, "channel": "phone", "procedure": ""}
    ).content.decode()
    assert "Elegí el trámite" in html
    html = client.post(
        "/gestion/iniciar/",
        {"applicant": applicant.email, "channel": "counter", "procedure": "habilitacion-de-prueba"},
    ).content.decode()
    assert "Elegí la oficina donde está el vecino" in html
    assert not Case.objects.exists()


def test_a_file_answered_in_a_form_field_opens_from_both_case_pages(
    client, version, applicant, desk_clerk
):
    plan = pdf_file("plano-del-local.pdf")
    client.force_login(applicant)
    case = start(client)
    base = f"/mis-tramites/borradores/{case.pk}"
    client.post(f"{base}/seccion/0/", GOOD_SECTION_0)
    client.post(f"{base}/seccion/1/", {**GOOD_SECTION_1, "plano": plan})
    client.post(f"{base}/documentos/", {"dni": pdf_file("dni.pdf")})
    assert client.post(f"{base}/revisar/").status_code == 302
    case.refresh_from_db()
    document = case.documents.get(slot="plano")

    resident_link = f"/mis-tramites/{case.reference}/documentos/{document.token}/"
    page = client.get(f"/mis-tramites/{case.reference}/").content.decode()
    assert f'<a href="{resident_link}">plano-del-local.pdf</a>' in page
    download = client.get(resident_link)
    assert b"".join(download.streaming_content) == PDF_BYTES

    client.force_login(desk_clerk)
    staff_link = f"/gestion/expedientes/{case.reference}/documentos/{document.token}/"
    page = client.get(f"/gestion/expedientes/{case.reference}/").content.decode()
    assert f'<a href="{staff_link}">plano-del-local.pdf</a>' in page
    assert b"".join(client.get(staff_link).streaming_content) == PDF_BYTES
