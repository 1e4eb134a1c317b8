"""Work after commit moves to core's outbox: undone PendingWork rows become outbox items.

Kinds keep their meaning ("notify" -> procedures.notify with the same event,
"produce_output" -> procedures.produce_output), with the case as payload and
subject; attempts and the last error come along. Done rows are history only.
"""

from django.db import migrations

KINDS = {"notify": "procedures.notify", "produce_output": "procedures.produce_output"}


def to_outbox(apps, schema_editor):
    PendingWork = apps.get_model("procedures", "PendingWork")
    OutboxItem = apps.get_model("core", "OutboxItem")
    for work in PendingWork.objects.filter(done_at__isnull=True).order_by("pk").iterator():
        item = OutboxItem.objects.create(
            kind=KINDS[work.kind],
            payload={"case_id": work.case_id, **work.payload},
            subject_type="procedures.case",
            subject_id=str(work.case_id),
            attempts=work.attempts,
            last_error=work.last_error,
        )
        # Keep the original time: the sweep sends items older than its grace period.
        OutboxItem.objects.filter(pk=item.pk).update(created_at=work.created_at)


def to_pending_work(apps, schema_editor):
    PendingWork = apps.get_model("procedures", "PendingWork")
    OutboxItem = apps.get_model("core", "OutboxItem")
    kinds = {value: key for key, value in KINDS.items()}
    for item in OutboxItem.objects.filter(kind__in=kinds, done_at__isnull=True).iterator():
        payload = {key: value for key, value in item.payload.items() if key != "case_id"}
        PendingWork.objects.create(
            case_id=item.payload["case_id"], kind=kinds[item.kind], payload=payload
        )
        item.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outbox"),
        ("procedures", "0002_delete_caseoutput"),
    ]

    operations = [
        migrations.RunPython(to_outbox, to_pending_work),
        migrations.DeleteModel(name="PendingWork"),
    ]
