"""Documents belong to a subject of any app, and are signed through core's outbox.

Adds the subject (type, id, label) and the template each document is
rendered from; the owner of the subject fills them for its rows (procedures
0004 does it for cases) before 0005 drops the foreign key to cases.
Pending documents, and issued ones still to extend, become outbox items: the
signing queue's own sweep (and its ``dispatched_at``) is gone.
"""

import django.db.models.deletion
from django.db import migrations, models


def to_outbox(apps, schema_editor):
    SignedDocument = apps.get_model("documents", "SignedDocument")
    OutboxItem = apps.get_model("core", "OutboxItem")
    waiting = [
        ("documents.issue", SignedDocument.objects.filter(status="pending")),
        # Extending checks again whether it is due (a TSA must be configured).
        ("documents.extend", SignedDocument.objects.filter(status="issued", level="B-T")),
    ]
    for kind, documents in waiting:
        for document in documents.order_by("pk").iterator():
            OutboxItem.objects.create(
                kind=kind,
                payload={"document_id": document.pk},
                subject_type="documents.signeddocument",
                subject_id=str(document.pk),
                attempts=document.attempts if kind == "documents.issue" else 0,
                last_error=document.last_error if kind == "documents.issue" else "",
            )


def from_outbox(apps, schema_editor):
    OutboxItem = apps.get_model("core", "OutboxItem")
    OutboxItem.objects.filter(kind__in=["documents.issue", "documents.extend"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outbox"),
        ("documents", "0003_signing_pin_lockout"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="signeddocument", name="one_current_document_per_case_kind_key"
        ),
        migrations.AddField(
            model_name="signeddocument",
            name="subject_type",
            field=models.CharField(
                default="",
                help_text="The subject's model, e.g. procedures.case.",
                max_length=100,
                verbose_name="about (type)",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="signeddocument",
            name="subject_id",
            field=models.CharField(default="", max_length=64, verbose_name="about (id)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="signeddocument",
            name="subject_label",
            field=models.CharField(
                blank=True,
                help_text="How the document names its subject, e.g. the case's reference.",
                max_length=300,
                verbose_name="about",
            ),
        ),
        migrations.AddField(
            model_name="signeddocument",
            name="template",
            field=models.CharField(default="", max_length=200, verbose_name="template"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="signeddocument",
            name="kind",
            field=models.CharField(max_length=40, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="signeddocument",
            name="key",
            field=models.CharField(
                blank=True,
                help_text="Tells apart several documents of one kind about one subject, e.g. payments.",
                max_length=64,
                verbose_name="key",
            ),
        ),
        migrations.RemoveField(model_name="signeddocument", name="dispatched_at"),
        # Nullable until 0005 drops it, so that the way back can fill it again first.
        migrations.AlterField(
            model_name="signeddocument",
            name="case",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="signed_documents",
                to="procedures.case",
                verbose_name="case",
            ),
        ),
        migrations.RunPython(to_outbox, from_outbox),
    ]
