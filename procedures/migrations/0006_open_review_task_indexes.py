"""Indexes and statistics for the employee queues.

viewflow owns the task table, hence RunSQL there. Only open review tasks are indexed,
so the indexes stay as small as the queues themselves however many cases are closed.
"""

from django.db import migrations, models

REVIEW = "procedures/flows.StandardProcedureFlow.review"


def _on_postgresql(sql: str):
    """Extended statistics are PostgreSQL's; the embedded SQLite portal goes without."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0005_more_case_channels"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        # The department queue's count: an index-only scan of the department's NEW tasks.
        migrations.RunSQL(
            "CREATE INDEX procedures_open_review_queue ON viewflow_task (owner_permission) "
            f"WHERE status = 'NEW' AND flow_task = '{REVIEW}'",
            "DROP INDEX procedures_open_review_queue",
        ),
        # The inbox: an employee's claimed review tasks, without reading everyone's.
        migrations.RunSQL(
            "CREATE INDEX procedures_open_review_inbox ON viewflow_task (owner_id) "
            f"WHERE status = 'ASSIGNED' AND flow_task = '{REVIEW}'",
            "DROP INDEX procedures_open_review_inbox",
        ),
        # Without it PostgreSQL multiplies the selectivities of status, node and department
        # as if independent, guesses a department's queue 10 times too small, and reads
        # every task of the department instead of walking the cases by due date.
        migrations.RunPython(
            _on_postgresql(
                "CREATE STATISTICS procedures_open_review_tasks (mcv) "
                "ON status, flow_task, owner_permission FROM viewflow_task"
            ),
            _on_postgresql("DROP STATISTICS procedures_open_review_tasks"),
        ),
        # A department's queue in due-date order, reading only that department's cases.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(status="submitted"),
                fields=["current_department", "due_date"],
                name="case_department_queue",
            ),
        ),
    ]
