"""Audit chain v2: keyed (HMAC) hashes over every field, partitions with signed checkpoints, seals.

Existing events were chained with an unkeyed SHA-256. This migration first checks that old chain, then re-chains
every event (in id order) into its partition with the keyed hash, and records the outcome of the check as an event
of the ``global`` partition, so that an old chain that was already broken stays visible.
"""

import hashlib
import json

from django.db import migrations, models
from django.utils import timezone


def _legacy_hash(prev: str, event) -> str:
    payload = json.dumps(
        {"prev": prev, "at": event.occurred_at.isoformat(), "actor": event.actor_id, "verb": event.verb,
         "type": event.object_type, "id": event.object_id, "region": event.region_code,
         "org": event.organisation_id, "changes": event.changes},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def rechain(apps, schema_editor) -> None:
    from techsme.core import audit

    event_model = apps.get_model("core", "AuditEvent")
    head_model = apps.get_model("core", "AuditChainHead")
    events = list(event_model.objects.order_by("id"))
    if not events:
        head_model.objects.all().delete()
        return
    prev, intact, problem = "0" * 64, True, ""
    for event in events:
        if event.prev_hash != prev or _legacy_hash(prev, event) != event.hash:
            intact, problem = False, f"event {event.pk} did not match the unkeyed chain"
            break
        prev = event.hash
    head_model.objects.all().delete()
    heads: dict[str, list] = {}
    note = event_model(
        occurred_at=timezone.now(), actor_repr="system", verb="core.audit_rechained", object_type="core.auditevent",
        object_id="*", object_repr="audit chain v2",
        changes={"legacy_events": len(events), "legacy_chain_intact": intact, "legacy_problem": problem},
    )
    note.save()
    for event in [*events, note]:
        event.partition = audit.partition_for(event.region_code, event.organisation_id)
        count, head_hash, _ = heads.get(event.partition, (0, "0" * 64, None))
        event.seq, event.prev_hash = count + 1, head_hash
        event.hash = audit.event_hash(event)
        heads[event.partition] = [event.seq, event.hash, event.pk]
    event_model.objects.bulk_update([*events, note], ["partition", "seq", "prev_hash", "hash"], batch_size=1000)
    head_model.objects.bulk_create([
        head_model(partition=p, count=c, head_hash=h, head_event_id=i, updated_at=timezone.now(),
                   signature=audit.checkpoint_signature(p, c, h))
        for p, (c, h, i) in heads.items()
    ])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_ledger")]

    operations = [
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64)),
        migrations.AddField(model_name="auditevent", name="partition",
                            field=models.CharField(default="global", max_length=40)),
        migrations.AddField(model_name="auditevent", name="seq", field=models.BigIntegerField(default=0)),
        migrations.RemoveField(model_name="auditchainhead", name="last_hash"),
        migrations.RemoveField(model_name="auditchainhead", name="last_event_id"),
        migrations.AddField(model_name="auditchainhead", name="partition",
                            field=models.CharField(max_length=40, null=True)),
        migrations.AddField(model_name="auditchainhead", name="count", field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="auditchainhead", name="head_hash",
                            field=models.CharField(default="0" * 64, max_length=64)),
        migrations.AddField(model_name="auditchainhead", name="head_event_id",
                            field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="auditchainhead", name="signature",
                            field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(model_name="auditchainhead", name="updated_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sealed_at", models.DateTimeField()),
                ("partitions", models.JSONField(default=dict)),
                ("events", models.BigIntegerField(default=0)),
                ("signature", models.CharField(max_length=64)),
            ],
            options={"ordering": ["-id"]},
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]
