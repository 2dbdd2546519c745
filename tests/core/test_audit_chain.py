"""The audit chain: services write keyed, chained events per partition with a signed checkpoint; writers never fork
a partition; a transaction's events stay in one partition."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from techsme.accounts.services import do_create_api_token, do_revoke_api_token
from techsme.core import audit
from techsme.core.audit import GENESIS, verify_chain
from techsme.core.models import AuditChainHead, AuditEvent


@pytest.fixture
def events(django_user_model) -> list[AuditEvent]:
    user = django_user_model.objects.create_user("alice", password="x-pass-2026")
    for i in range(3):
        token, _ = do_create_api_token(actor=user, name=f"token {i}")
    do_revoke_api_token(actor=user, token_id=token.pk)
    return list(AuditEvent.objects.order_by("id"))


def test_services_write_chained_events(events):
    assert [e.verb for e in events] == ["accounts.create_api_token"] * 3 + ["accounts.revoke_api_token"]
    assert events[0].prev_hash == GENESIS
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert len({e.partition for e in events}) == 1
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert events[0].actor.username == "alice"
    head = AuditChainHead.objects.get(partition=events[0].partition)
    assert (head.count, head.head_event_id, head.head_hash) == (4, events[-1].pk, events[-1].hash)
    assert head.signature == audit.checkpoint_signature(head.partition, 4, events[-1].hash)
    report = verify_chain()
    assert report.ok and report.checked == 4


def test_hash_is_keyed_over_every_field(events):
    """The stored hash is the HMAC of all fields; changing any one field changes it."""
    event = events[1]
    assert event.hash == audit.event_hash(event)
    for name, value in [("actor_repr", "mallory"), ("object_repr", "forged"), ("object_type", "x.y"),
                        ("object_id", "999"), ("verb", "x"), ("region_code", "110000"), ("organisation_id", 7),
                        ("changes", {"a": 1}), ("partition", "org:1"), ("seq", 9), ("prev_hash", "1" * 64),
                        ("actor_id", None)]:
        original = getattr(event, name)
        setattr(event, name, value)
        assert audit.event_hash(event) != event.hash, name
        setattr(event, name, original)


def test_audit_verify_command_passes_and_seals(events, capsys):
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "4 events checked in 1 partitions" in out
    assert "Sealed 4 events" in out


def test_empty_chain_verifies(db, capsys):
    call_command("audit_verify", "--no-seal")
    assert "0 events checked" in capsys.readouterr().out


def _record(user, organisation_id=None, region_code=""):
    return audit.record(actor=user, verb="test.touch", obj=user, organisation_id=organisation_id,
                        region_code=region_code)


def test_partitions_follow_organisation_then_region(django_user_model):
    user = django_user_model.objects.create_user("carol", password="x-pass-2026")
    with transaction.atomic():
        a = _record(user, organisation_id=11)
    with transaction.atomic():
        b = _record(user, organisation_id=12, region_code="440305")
    with transaction.atomic():
        c = _record(user, region_code="440305")
    with transaction.atomic():
        d = _record(user, organisation_id=11)
    assert [e.partition for e in (a, b, c, d)] == ["org:11", "org:12", "region:440305", "org:11"]
    assert (a.seq, d.seq, d.prev_hash) == (1, 2, a.hash)
    assert b.prev_hash == c.prev_hash == GENESIS
    assert verify_chain().ok


def test_one_transaction_writes_one_partition(django_user_model):
    """A second event of the same transaction joins the first one's partition: one head lock per transaction."""
    user = django_user_model.objects.create_user("dave", password="x-pass-2026")
    with transaction.atomic():
        first = _record(user, organisation_id=21)
        second = _record(user, organisation_id=22)
    with transaction.atomic():
        third = _record(user, organisation_id=22)
    assert first.partition == second.partition == "org:21"
    assert second.organisation_id == 22  # the event keeps its own organisation for scope and filters
    assert third.partition == "org:22"
    assert verify_chain().ok


def test_rolled_back_savepoint_forgets_its_partition(django_user_model):
    user = django_user_model.objects.create_user("erin", password="x-pass-2026")
    with transaction.atomic():
        try:
            with transaction.atomic():
                _record(user, organisation_id=31)
                raise ValueError
        except ValueError:
            pass
        kept = _record(user, organisation_id=32)
    assert kept.partition == "org:32" and kept.seq == 1
    assert not AuditEvent.objects.filter(partition="org:31").exists()
    assert verify_chain().ok


def test_record_outside_a_transaction_is_refused(django_user_model):
    user = django_user_model.objects.create_user("bob", password="x-pass-2026")
    # The test itself runs inside a transaction; leave it to check the guard.
    assert connection.in_atomic_block
    with pytest.raises(RuntimeError):
        connection.in_atomic_block = False
        try:
            audit.record(actor=user, verb="x", obj=user)
        finally:
            connection.in_atomic_block = True


def _run_writers(users, write) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(users))

    def run(index: int, user) -> None:
        try:
            start.wait()
            write(index, user)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(django_user_model):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot share an in-memory SQLite database (tests/conftest.py uses a file)")
    users = [django_user_model.objects.create_user(f"writer{i}", password="x-pass-2026") for i in range(8)]

    def write(index: int, user) -> None:
        for i in range(5):
            do_create_api_token(actor=user, name=f"t{i}")
            with transaction.atomic():  # half the writers share partition org:1, the others org:2
                _record(user, organisation_id=1 + index % 2)

    assert not _run_writers(users, write)
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 80
    for partition in {e.partition for e in events}:
        chain = sorted((e for e in events if e.partition == partition), key=lambda e: e.seq)
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert len({e.prev_hash for e in chain}) == len(chain)  # no two events share a parent: no fork
    report = verify_chain()
    assert report.ok and report.checked == 80


@pytest.mark.django_db(transaction=True)
def test_each_committed_transaction_chooses_its_own_partition(django_user_model):
    """Outside a test case's wrapper (real commits), even the same decorated function's next transaction starts
    afresh: the partition of a committed or rolled-back transaction is never carried over."""
    user = django_user_model.objects.create_user("frank", password="x-pass-2026")

    @transaction.atomic
    def write(first: int, second: int, fail: bool = False) -> None:
        _record(user, organisation_id=first)
        _record(user, organisation_id=second)
        if fail:
            raise ValueError

    write(51, 52)
    with pytest.raises(ValueError):
        write(53, 51, fail=True)
    write(52, 51)
    partitions = list(AuditEvent.objects.order_by("id").values_list("partition", "organisation_id"))
    assert partitions == [("org:51", 51), ("org:51", 52), ("org:52", 52), ("org:52", 51)]
    assert verify_chain().ok
