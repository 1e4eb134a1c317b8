import pytest
from django.core.management import call_command

from core.errors import ActionRefused
from procedures.catalog import CatalogInvalid, load_catalog
from procedures.models import Case, ProcedureVersion
from procedures.services import cases, review
from procedures.services import catalog as catalog_services
from tests.engine.conftest import TYPE_CODE, make_employee, pdf_file

pytestmark = pytest.mark.django_db


def edit_fixture(catalog_dir, old: str, new: str) -> None:
    path = catalog_dir / "types" / f"{TYPE_CODE}.yaml"
    path.write_text(path.read_text().replace(old, new))


def submitted_case(version, applicant) -> Case:
    case = cases.start_draft(version=version, applicant=applicant, filed_by=applicant)
    case.answers = {
        "nombre_fantasia": "Kiosco",
        "superficie": "10",
        "tiene_cartel": "no",
        "cuit_titular": "20123456786",
    }
    case.save()
    upload = pdf_file()
    upload.sniffed_type = "application/pdf"
    cases.save_documents(case=case, uploads={"dni": upload}, actor=applicant)
    return cases.submit(case=case, actor=applicant)


def test_sync_is_idempotent(version, catalog_dir):
    report = catalog_services.sync_catalog(load_catalog(catalog_dir))
    assert report.published == [] and TYPE_CODE in report.unchanged
    assert ProcedureVersion.objects.filter(procedure_type__code=TYPE_CODE).count() == 1


def test_a_running_case_keeps_the_version_it_was_filed_under(version, catalog_dir, applicant):
    case = submitted_case(version, applicant)
    # The type changes: a third review step is added and the fee goes up.
    edit_fixture(
        catalog_dir,
        "  kind: approval\noutput:",
        """  kind: approval
  - code: visto-intendencia
    name:
      es: Visto de Intendencia
    department: intendencia
    kind: approval
output:""",
    )
    edit_fixture(catalog_dir, 'base: "1000.00"', 'base: "3000.00"')
    report = catalog_services.sync_catalog(load_catalog(catalog_dir))
    assert report.published == [TYPE_CODE]
    new = ProcedureVersion.objects.get(procedure_type__code=TYPE_CODE, status="published")
    version.refresh_from_db()
    assert (version.status, new.number, len(new.steps)) == ("retired", 2, 3)

    # The old case still runs its two steps and its fee; a new case gets three steps.
    desk = make_employee("mesa@example.com", "mesa-de-entradas")
    revenue = make_employee("rentas@example.com", "rentas")
    for employee in (desk, revenue):
        task = case.process.task_set.get(status="NEW", flow_task_type="HUMAN")
        review.claim(task_id=task.pk, user=employee)
        review.decide(task_id=task.pk, user=employee, decision="approve")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.version == version
    assert str(case.fee_amount) == "1500.00"
    assert str(submitted_case(new, applicant).fee_amount) == "3500.00"


def test_a_draft_started_before_a_change_must_be_restarted(version, catalog_dir, applicant):
    case = cases.start_draft(version=version, applicant=applicant, filed_by=applicant)
    edit_fixture(catalog_dir, "deadline_business_days: 10", "deadline_business_days: 15")
    catalog_services.sync_catalog(load_catalog(catalog_dir))
    with pytest.raises(ActionRefused, match="cambió desde que empezaste"):
        cases.submit(case=case, actor=applicant)


def test_a_type_removed_from_the_files_is_retired(version, catalog_dir):
    (catalog_dir / "types" / f"{TYPE_CODE}.yaml").unlink()
    report = catalog_services.sync_catalog(load_catalog(catalog_dir))
    assert report.retired == [TYPE_CODE]
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.RETIRED


def test_editing_a_published_type_in_the_admin_makes_a_draft_then_publishes_it(version):
    draft = catalog_services.create_draft_from(version)
    assert (draft.status, draft.number) == ("draft", 2)
    data = dict(draft.definition, deadline_business_days=20)
    catalog_services.update_draft(draft, data)
    with pytest.raises(CatalogInvalid):
        catalog_services.update_draft(draft, dict(data, deadline_business_days="veinte"))
    catalog_services.publish_version(draft)
    version.refresh_from_db()
    draft.refresh_from_db()
    assert (version.status, draft.status, draft.deadline_business_days) == (
        "retired",
        "published",
        20,
    )


def test_catalog_commands_check_and_list(version, capsys):
    call_command("catalog", "list", "--json")
    out = capsys.readouterr().out
    assert f'"code": "{TYPE_CODE}"' in out and '"deadline_business_days": 10' in out


def test_catalog_check_names_file_key_and_reason(catalog_dir, capsys):
    from django.core.management.base import CommandError

    edit_fixture(catalog_dir, "department: rentas", "department: rentass")
    with pytest.raises(CommandError, match="1 error"):
        call_command("catalog", "check", "--directory", str(catalog_dir))
    err = capsys.readouterr().err
    assert f"types/{TYPE_CODE}.yaml: review_steps[1].department:" in err
    assert "rentass" in err


def test_catalog_sync_refuses_an_invalid_catalog_and_changes_nothing(db, catalog_dir):
    from django.core.management.base import CommandError

    edit_fixture(catalog_dir, 'base: "1000.00"', "base: 1000.5")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("catalog", "sync", "--directory", str(catalog_dir))
    assert not ProcedureVersion.objects.exists()
