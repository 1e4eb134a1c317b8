# Outputs are documents.SignedDocument now; documents 0002 carried the old rows over first.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('procedures', '0001_initial'),
        ('documents', '0002_carry_over_case_outputs'),
    ]

    operations = [
        migrations.DeleteModel(
            name='CaseOutput',
        ),
    ]
