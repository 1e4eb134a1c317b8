"""Case.assignee: who holds the case's open review task, so that an employee's inbox sorts by
due date within one index (a page reads 25 entries instead of every task the employee holds,
thousands of them at a million cases, sorted by a date on another table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery

REVIEW = "procedures/flows.StandardProcedureFlow.review"


def copy_from_assigned_tasks(apps, schema_editor):
    Case = apps.get_model("procedures", "Case")
    Task = apps.get_model("viewflow", "Task")
    assigned = Task.objects.filter(
        process_id=OuterRef("process_id"), flow_task=REVIEW, status="ASSIGNED"
    ).order_by("-created")
    # Only the cases someone holds: the others keep NULL, nothing to write.
    Case.objects.filter(Exists(assigned), status="submitted").update(
        assignee_id=Subquery(assigned.values("owner_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0010_case_queued_at"),
        ("viewflow", "0015_task_scheduled"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="Assigned to",
            ),
        ),
        migrations.RunPython(copy_from_assigned_tasks, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("assignee__isnull", False), ("status", "submitted")),
                fields=["assignee", "due_date", "queued_at"],
                name="case_assignee_inbox_order",
            ),
        ),
    ]
