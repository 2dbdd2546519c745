"""Declarative state machines: an explicit table of states and transitions with the roles that may take them.

A service verb asks ``workflow.check(name, state, roles)`` before changing anything: an illegal transition raises
``Conflict`` (HTTP 409) with a translated reason, a role that may not take it raises ``PermissionDenied`` (403).
The same table renders as documentation (``as_markdown``), so the docs cannot drift from the code.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, PermissionDenied

# Pseudo-roles: anyone (also anonymous visitors) and the system itself (scheduled jobs, no user).
PUBLIC = "public"
SYSTEM = "system"

Label = str | Promise
Guard = Callable[[Any], str | None]  # returns a translated reason when the transition is refused, else None


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[str]
    target: str | None  # None: the state does not change (an action recorded on the object)
    roles: frozenset[str]
    guard: Guard | None = None
    label: Label = ""

    def __init__(
        self,
        name: str,
        source: str | Iterable[str],
        target: str | None,
        roles: Iterable[str],
        guard: Guard | None = None,
        label: Label = "",
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "source", frozenset([source] if isinstance(source, str) else source))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "roles", frozenset(str(r) for r in roles))
        object.__setattr__(self, "guard", guard)
        object.__setattr__(self, "label", label or name)

    def open_to(self, user_roles: Iterable[str]) -> bool:
        return PUBLIC in self.roles or bool(self.roles & {str(r) for r in user_roles})


@dataclass
class Workflow:
    """States (value → label) and the transitions between them; ``subject`` names the object in messages."""

    subject: Label
    states: dict[str, Label]
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_name: dict[str, Transition] = {}
        for t in self.transitions:
            if t.name in self._by_name:
                raise ValueError(f"duplicate transition {t.name!r}")
            unknown = (t.source | ({t.target} if t.target else set())) - set(self.states)
            if unknown:
                raise ValueError(f"transition {t.name!r} uses unknown states {sorted(unknown)}")
            self._by_name[t.name] = t

    def transition(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"unknown transition {name!r}") from None

    def state_label(self, state: str) -> str:
        return str(self.states.get(state, state))

    def allowed(self, user_roles: Iterable[str], state: str, obj: Any = None) -> list[Transition]:
        """The transitions these roles may take from ``state`` (guards evaluated when ``obj`` is given)."""
        roles = set(user_roles)
        return [
            t
            for t in self.transitions
            if state in t.source and t.open_to(roles) and (obj is None or t.guard is None or t.guard(obj) is None)
        ]

    def check(self, transition_name: str, state: str, user_roles: Iterable[str], obj: Any = None) -> Transition:
        """The transition, if these roles may take it from ``state``; raises PermissionDenied or Conflict."""
        t = self.transition(transition_name)
        if not t.open_to(user_roles):
            raise PermissionDenied(
                _("Your role does not allow you to %(action)s this %(subject)s.")
                % {"action": t.label, "subject": self.subject}
            )
        if state not in t.source:
            raise Conflict(
                _("Cannot %(action)s this %(subject)s: its state is “%(state)s”.")
                % {"action": t.label, "subject": self.subject, "state": self.state_label(state)}
            )
        if t.guard is not None and obj is not None:
            reason = t.guard(obj)
            if reason:
                raise Conflict(reason)
        return t

    def table(self) -> list[dict[str, Any]]:
        """One row per transition: name, label, source states, target state, roles (sorted, stable)."""
        return [
            {
                "name": t.name,
                "label": str(t.label),
                "source": sorted(t.source),
                "target": t.target,
                "roles": sorted(t.roles),
            }
            for t in self.transitions
        ]

    def as_markdown(self, role_labels: dict[str, Label] | None = None) -> str:
        """The transition table as a Markdown table (for the documentation)."""
        names = role_labels or {}
        lines = ["| Transition | From | To | Who may take it |", "|---|---|---|---|"]
        for row in self.table():
            lines.append(
                "| {name} | {src} | {dst} | {who} |".format(
                    name=f"`{row['name']}`",
                    src=", ".join(f"`{s}`" for s in row["source"]),
                    dst=f"`{row['target']}`" if row["target"] else "(unchanged)",
                    who=", ".join(str(names.get(r, r)) for r in row["roles"]),
                )
            )
        return "\n".join(lines) + "\n"
