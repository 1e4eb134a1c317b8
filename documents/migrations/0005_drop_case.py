"""The subject replaces the foreign key to cases (filled by procedures 0004, which runs first)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_subjects_and_outbox"),
    ]

    operations = [
        migrations.RemoveField(model_name="signeddocument", name="case"),
        migrations.AddConstraint(
            model_name="signeddocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "issued"])),
                fields=("subject_type", "subject_id", "kind", "key"),
                name="one_current_document_per_subject_kind_key",
            ),
        ),
        migrations.AddIndex(
            model_name="signeddocument",
            index=models.Index(fields=["subject_type", "subject_id"], name="document_subject"),
        ),
    ]
