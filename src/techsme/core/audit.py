"""The audit trail: every service verb records events in its own transaction, in keyed hash chains that prove
themselves.

- **Keyed.** An event's ``hash`` is HMAC-SHA256 (key ``audit`` from ``core.keys``) over every stored field: time,
  actor id and text, verb, object type, id and text, region, organisation, changes, partition, sequence number and
  the previous event's hash. Editing any field, or editing and recomputing a plain hash, no longer matches.
- **Partitioned.** Events are chained per partition (the organisation of the event, else its region, else
  ``global``), so writes for unrelated organisations do not queue on one lock. All events of one transaction go to
  the partition of its first event: a transaction locks at most one chain head, so partitions add no deadlocks.
- **Checkpointed.** Each partition's head (``AuditChainHead``: count and newest hash, HMAC-signed) lives apart from
  the events and is updated in the same transaction; ``seal()`` signs the heads of every partition together
  (``AuditSeal``). ``verify_chain()`` recomputes everything and names the first bad event.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from techsme.core.keys import get_key
from techsme.core.models import AuditChainHead, AuditEvent, AuditSeal

GENESIS = "0" * 64
GLOBAL = "global"
_STICKY = "_techsme_audit_partition"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def _mac(kind: str, payload: Any) -> str:
    message = _canonical({"kind": kind, "payload": payload}).encode()
    return hmac.new(get_key("audit"), message, hashlib.sha256).hexdigest()


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value changed (JSON-ready)."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


def event_fields(event: Any) -> dict[str, Any]:
    """Every stored field of an event except ``hash`` itself (and the database id, which is not content)."""
    return {
        "at": event.occurred_at.isoformat(),
        "actor": event.actor_id,
        "actor_text": event.actor_repr,
        "verb": event.verb,
        "type": event.object_type,
        "id": event.object_id,
        "text": event.object_repr,
        "region": event.region_code,
        "org": event.organisation_id,
        "changes": event.changes,
        "partition": event.partition,
        "seq": event.seq,
        "prev": event.prev_hash,
    }


def event_hash(event: Any) -> str:
    return _mac("event", event_fields(event))


def checkpoint_signature(partition: str, count: int, head_hash: str) -> str:
    return _mac("checkpoint", [partition, count, head_hash])


def seal_signature(sealed_at: datetime, partitions: dict[str, list[Any]], events: int) -> str:
    return _mac("seal", [sealed_at.isoformat(), partitions, events])


def partition_for(region_code: str, organisation_id: int | None) -> str:
    if organisation_id:
        return f"org:{organisation_id}"
    if region_code:
        return f"region:{region_code}"
    return GLOBAL


def _outer_block(connection: Any) -> Any:
    """The outermost ``atomic`` block that is a real transaction (not a test case's wrapper)."""
    return next((b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)), None)


def _sticky_partition(connection: Any) -> str | None:
    """The partition this transaction already writes to, if any.

    Django replaces ``connection.run_on_commit`` with a new list when a transaction commits or rolls back (also to a
    savepoint), so the list object seen at the first event identifies the transaction without registering anything;
    the outermost real ``atomic`` block tells service calls apart inside a test case's wrapping transaction."""
    state = getattr(connection, _STICKY, None)
    if state is None:
        return None
    block, hooks, partition = state
    if block is _outer_block(connection) and hooks is connection.run_on_commit:
        return partition
    return None


def _remember(connection: Any, partition: str) -> None:
    setattr(connection, _STICKY, (_outer_block(connection), connection.run_on_commit, partition))


def record(
    *,
    actor: Any,
    verb: str,
    obj: Model,
    changes: dict[str, Any] | None = None,
    region_code: str = "",
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's ``transaction.atomic()`` block."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the service's transaction")
    region = region_code or getattr(obj, "region_code", "") or ""
    sticky = _sticky_partition(connection)
    partition = sticky or partition_for(region, organisation_id)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(partition=partition)
    user = actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_repr=(str(actor) if actor is not None else "system")[:200],
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        region_code=region,
        organisation_id=organisation_id,
        # Stored exactly as it reads back from JSON, so the hash recomputed on verification is the same.
        changes=json.loads(_canonical(_plain(changes or {}))),
        partition=partition,
        seq=head.count + 1,
        prev_hash=head.head_hash,
    )
    event.hash = event_hash(event)
    event.save()
    head.count, head.head_hash, head.head_event_id = event.seq, event.hash, event.pk
    head.signature = checkpoint_signature(partition, head.count, head.head_hash)
    head.updated_at = event.occurred_at
    head.save(update_fields=["count", "head_hash", "head_event_id", "signature", "updated_at"])
    if sticky is None:
        _remember(connection, partition)
    return event


def _head_is_signed(head: AuditChainHead) -> bool:
    return hmac.compare_digest(head.signature, checkpoint_signature(head.partition, head.count, head.head_hash))


def seal() -> AuditSeal:
    """Sign the current count and head of every partition together (run after a successful verification)."""
    heads = list(AuditChainHead.objects.order_by("partition"))
    forged = [h.partition for h in heads if h.count and not _head_is_signed(h)]
    if forged:
        raise ValueError(f"refusing to seal checkpoints with a bad signature: {', '.join(forged)}")
    partitions = {h.partition: [h.count, h.head_hash] for h in heads if h.count}
    sealed_at = timezone.now()
    events = sum(count for count, _hash in partitions.values())
    return AuditSeal.objects.create(
        sealed_at=sealed_at, partitions=partitions, events=events,
        signature=seal_signature(sealed_at, partitions, events),
    )


@dataclass(frozen=True)
class Problem:
    partition: str
    reason: str
    event_id: int | None = None
    seq: int | None = None

    def describe(self) -> str:
        where = f"event {self.event_id}" if self.event_id else "partition"
        number = f" #{self.seq}" if self.seq else ""
        return f"{where} (partition {self.partition}{number}): {self.reason}"


@dataclass
class ChainReport:
    checked: int = 0
    partitions: int = 0
    problems: list[Problem] = field(default_factory=list)
    seal: AuditSeal | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        ordered = sorted(self.problems, key=lambda p: (p.event_id is None, p.event_id or 0, p.partition))
        return ordered[0] if ordered else None

    @property
    def broken_at(self) -> int | None:
        return self.first.event_id if self.first else None

    @property
    def reason(self) -> str:
        return self.first.reason if self.first else ""


@dataclass
class _Walk:
    """The state of one partition while its events are read in sequence order."""

    partition: str
    count: int = 0
    prev: str = GENESIS
    last_id: int | None = None
    broken: bool = False
    at_seal: str | None = None  # hash of the event numbered as the seal's count


def _check_event(walk: _Walk, event: AuditEvent) -> str:
    if event.seq != walk.count + 1:
        return (f"is numbered {event.seq} where {walk.count + 1} was expected: "
                f"{event.seq - walk.count - 1} event(s) before it were removed")
    if event.prev_hash != walk.prev:
        return "does not link to the event before it (an event was removed or replaced)"
    if not hmac.compare_digest(event.hash, event_hash(event)):
        return "its content does not match its keyed hash (a field was edited, or the hash recomputed without the key)"
    return ""


def _close(walk: _Walk, head: AuditChainHead | None) -> Problem | None:
    """Compare the end of a partition's chain with its signed checkpoint."""
    if head is None:
        return Problem(walk.partition, f"{walk.count} event(s) but no checkpoint (the checkpoint was removed)",
                       walk.last_id, walk.count)
    if not _head_is_signed(head):
        return Problem(walk.partition, "the checkpoint's signature does not match (the checkpoint was edited)",
                       head.head_event_id or walk.last_id, head.count)
    if head.count > walk.count:
        return Problem(walk.partition, f"the checkpoint counts {head.count} event(s) but only {walk.count} are "
                       f"stored: the newest {head.count - walk.count} were deleted", head.head_event_id,
                       walk.count + 1)
    if head.count < walk.count or head.head_hash != walk.prev:
        return Problem(walk.partition, f"the events do not end where the checkpoint does (checkpoint: {head.count} "
                       "events): events were added or replaced outside the audit trail", walk.last_id, walk.count)
    return None


def _check_seal(seal_row: AuditSeal, walks: dict[str, _Walk]) -> Iterable[Problem]:
    if not hmac.compare_digest(seal_row.signature,
                               seal_signature(seal_row.sealed_at, seal_row.partitions, seal_row.events)):
        yield Problem(GLOBAL, f"the seal of {seal_row.sealed_at:%Y-%m-%d %H:%M} has a bad signature (edited)")
        return
    for partition, (count, head_hash) in sorted(seal_row.partitions.items()):
        walk = walks.get(partition)
        if walk is None:
            yield Problem(partition, f"sealed on {seal_row.sealed_at:%Y-%m-%d %H:%M} with {count} event(s); the "
                          "partition's events and checkpoint are gone")
        elif not walk.broken and walk.at_seal != head_hash:
            yield Problem(partition, f"the seal of {seal_row.sealed_at:%Y-%m-%d %H:%M} records {count} event(s) "
                          "here; the chain no longer reaches that event", walk.last_id, count)


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every partition's chain and compare it with its checkpoint and with the latest seal."""
    report = ChainReport(seal=AuditSeal.objects.order_by("-id").first())
    sealed = report.seal.partitions if report.seal else {}
    heads = {h.partition: h for h in AuditChainHead.objects.all()}
    walks: dict[str, _Walk] = {}
    walk: _Walk | None = None
    for event in AuditEvent.objects.order_by("partition", "seq").iterator(chunk_size=batch):
        if walk is None or event.partition != walk.partition:
            if walk is not None and not walk.broken and (problem := _close(walk, heads.get(walk.partition))):
                report.problems.append(problem)
            walk = walks[event.partition] = _Walk(event.partition)
        if walk.broken:
            continue
        if reason := _check_event(walk, event):
            report.problems.append(Problem(event.partition, reason, event.pk, event.seq))
            walk.broken = True
            continue
        walk.count, walk.prev, walk.last_id = event.seq, event.hash, event.pk
        if event.partition in sealed and sealed[event.partition][0] == event.seq:
            walk.at_seal = event.hash
        report.checked += 1
    if walk is not None and not walk.broken and (problem := _close(walk, heads.get(walk.partition))):
        report.problems.append(problem)
    for partition, head in heads.items():
        if partition not in walks and head.count:
            report.problems.append(Problem(partition, f"the checkpoint counts {head.count} event(s) but none are "
                                           "stored: every event of the partition was deleted", head.head_event_id, 1))
    if report.seal is not None:
        report.problems.extend(_check_seal(report.seal, walks))
    report.partitions = len(walks)
    return report
