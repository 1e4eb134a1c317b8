"""Cases name themselves as the subject of their signed documents.

Before documents 0005 drops its foreign key to cases: each document of a case
gets the case as subject, the label it prints ("Expediente ... (procedure)")
and its template under procedures/pdf/; facts already fixed get the header's
kind title, which the templates now read from them.
"""

from django.db import migrations

KIND_TITLES = {
    "certificate": "Certificado",
    "resolution": "Resolución",
    "acknowledgement": "Constancia de recepción",
    "payment_receipt": "Comprobante de pago",
}


def cases_as_subjects(apps, schema_editor):
    SignedDocument = apps.get_model("documents", "SignedDocument")
    for document in SignedDocument.objects.select_related("case__version").iterator():
        case = document.case
        document.subject_type = "procedures.case"
        document.subject_id = str(case.pk)
        document.subject_label = f"Expediente {case.reference} ({case.version.name_es})"
        document.template = f"procedures/pdf/{document.kind}.html"
        if document.facts:
            document.facts.setdefault("kind_title", KIND_TITLES.get(document.kind, ""))
        document.save(
            update_fields=["subject_type", "subject_id", "subject_label", "template", "facts"]
        )


def subjects_as_cases(apps, schema_editor):
    SignedDocument = apps.get_model("documents", "SignedDocument")
    for document in SignedDocument.objects.filter(subject_type="procedures.case").iterator():
        document.case_id = int(document.subject_id)
        document.save(update_fields=["case"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_subjects_and_outbox"),
        ("procedures", "0003_pending_work_to_outbox"),
    ]
    run_before = [("documents", "0005_drop_case")]

    operations = [migrations.RunPython(cases_as_subjects, subjects_as_cases)]
