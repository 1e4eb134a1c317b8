"""Outputs produced before documents were signed get signed now.

Each former procedures.CaseOutput (an unsigned PDF) becomes a pending
SignedDocument of the same kind: the signing queue's sweep seals it, with the
case's details as they are today. The unsigned files stay where they were.
"""

import secrets

from django.db import migrations

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
KINDS = {"certificate", "resolution", "acknowledgement"}


def carry_over(apps, schema_editor):
    CaseOutput = apps.get_model("procedures", "CaseOutput")
    SignedDocument = apps.get_model("documents", "SignedDocument")
    for output in CaseOutput.objects.filter(kind__in=KINDS).iterator():
        if SignedDocument.objects.filter(case_id=output.case_id, kind=output.kind).exists():
            continue
        SignedDocument.objects.create(
            case_id=output.case_id,
            kind=output.kind,
            code="".join(secrets.choice(ALPHABET) for _ in range(12)),
            signer="seal",
            title=output.kind,  # replaced with the real title when it is signed
        )


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0001_initial"),
        ("procedures", "0001_initial"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
