"""Partial indexes on viewflow's task table for the employee queues.

viewflow owns the table, hence RunSQL. Only open review tasks are indexed, so the
indexes stay as small as the queues themselves however many cases are closed.
"""

from django.db import migrations

REVIEW = "procedures/flows.StandardProcedureFlow.review"


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
    ]
