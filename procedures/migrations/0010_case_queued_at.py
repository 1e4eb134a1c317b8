"""Case.queued_at: when the case's open review task was created, so that a department's
queue sorts by due date and then by it within one index (a page reads 25 entries instead of
every task sharing the page's due dates, which grows with the number of cases)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

REVIEW = "procedures/flows.StandardProcedureFlow.review"


def copy_from_open_tasks(apps, schema_editor):
    Case = apps.get_model("procedures", "Case")
    Task = apps.get_model("viewflow", "Task")
    open_review = (
        Task.objects.filter(process_id=OuterRef("process_id"), flow_task=REVIEW)
        .exclude(status__in=["DONE", "CANCELED"])
        .order_by("-created")
    )
    # Only submitted cases wait in a queue; the others get theirs with their next task.
    Case.objects.filter(status="submitted").update(
        queued_at=Subquery(open_review.values("created")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0009_merge_office_and_correction_files"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="queued_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="waiting in the queue since"
            ),
        ),
        migrations.RunPython(copy_from_open_tasks, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="case", name="case_department_queue"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(status="submitted"),
                fields=["current_department", "due_date", "queued_at"],
                name="case_department_queue_order",
            ),
        ),
    ]
