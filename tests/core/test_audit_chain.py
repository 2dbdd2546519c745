"""The audit chain: services write events; tampering with or removing an event is detected; writers never fork it."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from techsme.accounts.services import do_create_api_token, do_revoke_api_token
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
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert events[0].actor.username == "alice"
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_event_id, head.last_hash) == (events[-1].pk, events[-1].hash)
    report = verify_chain()
    assert report.ok and report.checked == 4


def test_audit_verify_command_passes(events, capsys):
    call_command("audit_verify")
    assert "4 events checked" in capsys.readouterr().out


def test_empty_chain_verifies(db, capsys):
    call_command("audit_verify")
    assert "0 events checked" in capsys.readouterr().out


def test_edited_changes_are_reported(events, capsys):
    target = events[1]
    AuditEvent.objects.filter(pk=target.pk).update(changes={"name": [None, "forged"]})
    report = verify_chain()
    assert report.broken_at == target.pk
    assert "edited" in report.reason
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify")
    assert exit_info.value.code == 1
    assert f"event {target.pk}" in capsys.readouterr().err


def test_edited_actor_or_verb_is_reported(events):
    AuditEvent.objects.filter(pk=events[2].pk).update(verb="accounts.something_else")
    assert verify_chain().broken_at == events[2].pk


def test_deleted_event_in_the_middle_is_reported(events):
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    report = verify_chain()
    assert report.broken_at == events[2].pk
    assert "previous hash" in report.reason


def test_deleted_last_event_is_detected(events, capsys):
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == events[-1].pk
    assert "removed" in report.reason
    with pytest.raises(SystemExit):
        call_command("audit_verify")


def test_record_outside_a_transaction_is_refused(django_user_model):
    from techsme.core import audit

    user = django_user_model.objects.create_user("bob", password="x-pass-2026")
    # The test itself runs inside a transaction; leave it to check the guard.
    assert connection.in_atomic_block
    with pytest.raises(RuntimeError):
        connection.in_atomic_block = False
        try:
            audit.record(actor=user, verb="x", obj=user)
        finally:
            connection.in_atomic_block = True


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(django_user_model):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot share an in-memory SQLite database (tests/conftest.py uses a file)")
    users = [django_user_model.objects.create_user(f"writer{i}", password="x-pass-2026") for i in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(users))

    def write(user) -> None:
        try:
            start.wait()
            for i in range(5):
                do_create_api_token(actor=user, name=f"t{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 40
    assert len({e.prev_hash for e in events}) == 40  # no two events share a parent: no fork
    report = verify_chain()
    assert report.ok and report.checked == 40
