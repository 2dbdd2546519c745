"""The audit trail: every service verb records one event in its own transaction, chained by SHA-256."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from techsme.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


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


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value changed (JSON-ready)."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": event.occurred_at.isoformat(),
            "actor": event.actor_id,
            "verb": event.verb,
            "type": event.object_type,
            "id": event.object_id,
            "region": event.region_code,
            "org": event.organisation_id,
            "changes": event.changes,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


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
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the service's transaction")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    user = actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_repr=str(actor) if actor is not None else "system",
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        region_code=region_code or getattr(obj, "region_code", "") or "",
        organisation_id=organisation_id,
        changes=_plain(changes or {}),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(head.last_hash, event)
    event.save()
    head.last_hash, head.last_event_id = event.hash, event.pk
    head.save(update_fields=["last_hash", "last_event_id"])
    return event


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first event whose link or content does not match."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch):
        if event.prev_hash != prev:
            return ChainReport(checked, event.pk, "previous hash does not match the event before it")
        if event_hash(prev, event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash (edited after writing)")
        prev = event.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and checked and head.last_hash != prev:
        return ChainReport(checked, head.last_event_id, "chain head does not match the last event (events removed)")
    return ChainReport(checked)
