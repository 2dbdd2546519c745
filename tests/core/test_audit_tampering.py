"""Tampering with the stored audit trail is detected and named: edited fields, deleted events (newest, middle,
all), rewritten events with a recomputed hash, truncated partitions, edited checkpoints and seals."""

import hashlib
import hmac
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from techsme.core import audit
from techsme.core.models import AuditChainHead, AuditEvent, AuditSeal


@pytest.fixture
def trail(django_user_model) -> dict[str, list[AuditEvent]]:
    """Three partitions (two organisations and a region) with three events each."""
    user = django_user_model.objects.create_user("auditor", password="x-pass-2026")
    for i in range(3):
        for org, region in ((41, ""), (42, ""), (None, "440305")):
            with transaction.atomic():
                audit.record(actor=user, verb="test.change", obj=user, organisation_id=org, region_code=region,
                             changes={"step": [i, i + 1]})
    by_partition: dict[str, list[AuditEvent]] = {}
    for event in AuditEvent.objects.order_by("partition", "seq"):
        by_partition.setdefault(event.partition, []).append(event)
    assert audit.verify_chain().ok
    return by_partition


def _fails_naming(capsys, event_id: int | None, partition: str, words: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    if event_id is not None:
        assert f"event {event_id} " in first
    assert f"partition {partition}" in first
    assert words in first
    assert not AuditSeal.objects.exists()  # a broken trail is never sealed


def test_edited_actor_text_is_named(trail, capsys):
    target = trail["org:42"][1]
    AuditEvent.objects.filter(pk=target.pk).update(actor_repr="someone else")
    report = audit.verify_chain()
    assert (report.broken_at, report.first.partition, report.first.seq) == (target.pk, "org:42", 2)
    _fails_naming(capsys, target.pk, "org:42", "keyed hash")


def test_edited_object_text_is_named(trail, capsys):
    target = trail["region:440305"][0]
    AuditEvent.objects.filter(pk=target.pk).update(object_repr="another object")
    _fails_naming(capsys, target.pk, "region:440305", "keyed hash")


def test_edited_changes_are_named(trail, capsys):
    target = trail["org:41"][2]
    AuditEvent.objects.filter(pk=target.pk).update(changes={"step": [0, 99]})
    _fails_naming(capsys, target.pk, "org:41", "keyed hash")


def _unkeyed(event: AuditEvent) -> str:
    return hashlib.sha256(json.dumps(audit.event_fields(event), sort_keys=True).encode()).hexdigest()


def test_rewritten_event_with_recomputed_hash_is_named(trail, capsys):
    """An attacker rewrites an event and recomputes its hash (plain SHA-256, or HMAC with a guessed key) and relinks
    the next event: without the instance key the hashes cannot match."""
    target, following = trail["org:41"][1], trail["org:41"][2]
    target.actor_repr = "mallory"
    for forged in (_unkeyed(target), hmac.new(b"guess", b"x", hashlib.sha256).hexdigest()):
        AuditEvent.objects.filter(pk=target.pk).update(actor_repr="mallory", hash=forged)
        AuditEvent.objects.filter(pk=following.pk).update(prev_hash=forged)
        report = audit.verify_chain()
        assert report.broken_at == target.pk and "keyed hash" in report.reason
    _fails_naming(capsys, target.pk, "org:41", "keyed hash")


def test_deleted_newest_event_is_named(trail, capsys):
    newest = trail["org:42"][-1]
    AuditEvent.objects.filter(pk=newest.pk).delete()
    report = audit.verify_chain()
    assert report.broken_at == newest.pk
    assert "newest 1 were deleted" in report.reason
    _fails_naming(capsys, newest.pk, "org:42", "deleted")


def test_deleted_newest_events_with_a_rolled_back_checkpoint_are_detected(trail):
    """Deleting the newest events and moving the checkpoint back to the new last event needs the key to sign."""
    chain = trail["org:41"]
    AuditEvent.objects.filter(pk=chain[-1].pk).delete()
    AuditChainHead.objects.filter(partition="org:41").update(count=2, head_hash=chain[1].hash,
                                                            head_event_id=chain[1].pk)
    report = audit.verify_chain()
    assert not report.ok and report.first.partition == "org:41"
    assert "signature" in report.reason


def test_deleted_event_in_the_middle_is_named(trail, capsys):
    chain = trail["org:41"]
    AuditEvent.objects.filter(pk=chain[1].pk).delete()
    report = audit.verify_chain()
    assert report.broken_at == chain[2].pk
    assert "were removed" in report.reason
    _fails_naming(capsys, chain[2].pk, "org:41", "removed")


def test_deleting_every_event_is_detected(trail, capsys):
    AuditEvent.objects.all().delete()
    report = audit.verify_chain()
    assert {p.partition for p in report.problems} == set(trail)
    assert all("every event of the partition was deleted" in p.reason for p in report.problems)
    first = min(events[-1].pk for events in trail.values())
    _fails_naming(capsys, first, report.first.partition, "deleted")


def test_truncated_partition_is_detected(trail):
    AuditEvent.objects.filter(partition="region:440305").delete()
    report = audit.verify_chain()
    assert [p.partition for p in report.problems] == ["region:440305"]


def test_truncated_partition_and_its_checkpoint_are_caught_by_the_seal(trail, capsys):
    call_command("audit_verify")  # seals the verified state
    capsys.readouterr()
    AuditEvent.objects.filter(partition="org:42").delete()
    AuditChainHead.objects.filter(partition="org:42").delete()
    report = audit.verify_chain()
    assert [p.partition for p in report.problems] == ["org:42"]
    assert "gone" in report.reason
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert "partition org:42" in capsys.readouterr().err


def test_edited_seal_is_detected(trail, capsys):
    call_command("audit_verify")
    AuditSeal.objects.update(events=1)
    report = audit.verify_chain()
    assert not report.ok and "seal" in report.reason


def test_events_added_after_the_seal_still_verify(trail, django_user_model, capsys):
    call_command("audit_verify")
    user = django_user_model.objects.get(username="auditor")
    with transaction.atomic():
        audit.record(actor=user, verb="test.later", obj=user, organisation_id=41)
    call_command("audit_verify")
    assert "10 events checked in 3 partitions" in capsys.readouterr().out
