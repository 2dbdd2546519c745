"""Unique partition checkpoints and (partition, seq) per event, once 0003 has re-chained the existing events
(a separate migration: PostgreSQL refuses to alter a table with pending trigger events from the data step)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_partitions_checkpoints")]

    operations = [
        migrations.AlterField(model_name="auditchainhead", name="partition",
                              field=models.CharField(max_length=40, unique=True)),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("partition", "seq"), name="audit_event_partition_seq"),
        ),
    ]
