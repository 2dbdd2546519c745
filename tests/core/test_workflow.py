"""The declarative state machine: allowed transitions, refusals with reasons, guards, documentation table."""

import pytest
from django.utils import translation

from techsme.core.errors import Conflict, PermissionDenied
from techsme.core.workflow import PUBLIC, Transition, Workflow

DOOR = Workflow(
    subject="door",
    states={"open": "open", "closed": "closed", "locked": "locked"},
    transitions=[
        Transition("close", "open", "closed", ["porter", "guest"]),
        Transition("lock", "closed", "locked", ["porter"], guard=lambda door: None if door.get("key") else "no key"),
        Transition("unlock", "locked", "closed", ["porter"]),
        Transition("open", ("closed",), "open", ["porter", "guest"]),
        Transition("knock", ("open", "closed", "locked"), None, [PUBLIC]),
    ],
)


def test_allowed_lists_the_transitions_of_the_state_for_the_roles() -> None:
    assert [t.name for t in DOOR.allowed({"porter"}, "closed")] == ["lock", "open", "knock"]
    assert [t.name for t in DOOR.allowed({"guest"}, "closed")] == ["open", "knock"]
    assert [t.name for t in DOOR.allowed(set(), "locked")] == ["knock"]
    assert [t.name for t in DOOR.allowed({"porter"}, "closed", obj={})] == ["open", "knock"]  # guard fails


def test_check_returns_the_transition() -> None:
    assert DOOR.check("close", "open", {"guest"}).target == "closed"
    assert DOOR.check("knock", "locked", set()).target is None


def test_illegal_transition_is_a_conflict_with_a_reason() -> None:
    with translation.override("en"), pytest.raises(Conflict) as exc:
        DOOR.check("lock", "open", {"porter"})
    assert str(exc.value) == "Cannot lock this door: its state is “open”."


def test_role_that_may_not_take_it_is_refused() -> None:
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        DOOR.check("lock", "closed", {"guest"})
    assert "lock" in str(exc.value)


def test_guard_refusal_is_a_conflict_with_the_guard_reason() -> None:
    with pytest.raises(Conflict, match="no key"):
        DOOR.check("lock", "closed", {"porter"}, obj={})
    assert DOOR.check("lock", "closed", {"porter"}, obj={"key": 1}).name == "lock"


def test_unknown_transition_and_states_are_programming_errors() -> None:
    with pytest.raises(KeyError):
        DOOR.check("fly", "open", {"porter"})
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(subject="x", states={"a": "a"}, transitions=[Transition("go", "a", "b", ["r"])])
    with pytest.raises(ValueError, match="duplicate"):
        Workflow(subject="x", states={"a": "a"}, transitions=[Transition("go", "a", "a", ["r"])] * 2)


def test_table_renders_as_markdown() -> None:
    text = DOOR.as_markdown({"porter": "Porter"})
    lines = text.strip().splitlines()
    assert lines[0] == "| Transition | From | To | Who may take it |"
    assert "| `lock` | `closed` | `locked` | Porter |" in lines
    assert "| `knock` | `closed`, `locked`, `open` | (unchanged) | public |" in lines
    assert len(lines) == 2 + len(DOOR.transitions)
