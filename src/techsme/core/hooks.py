"""Extension points the ground floor offers to the apps above it, so that ``core`` never imports them.

Apps register in their ``AppConfig.ready()``:

- **demo steps** — ``register_demo(order, label, seed)``: ``techsme setup --demo`` runs every registered step in
  ``order`` after the base registry demo. Each step must be idempotent (a second run changes nothing), so an
  existing demo database gains the domains added since it was made.
- **the base demo** — ``register_demo_base(seed)`` (the registry): loads the demo enterprises into an empty
  database and answers whether the database holds the demo (False: it has data of its own; nothing else is loaded).
- **to-dos** — ``register_todos(provider)``: a provider takes a user and returns the :class:`Todo` items that user
  has to act on (filings to review, claims to decide, invitations to answer). Every role's home lists them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class DemoStep:
    order: int
    label: str
    seed: Callable[[], Any]


@dataclass(frozen=True)
class Todo:
    """One thing a user should do next: what (``label``, in the user's language), how many, where, and how urgent."""

    label: str | Promise
    url: str
    count: int = 1
    urgent: bool = False  # overdue or due within a few days
    group: str | Promise = ""  # the module, shown as a heading ("Evaluation", "Vouchers", …)


_DEMO_STEPS: dict[str, DemoStep] = {}
_DEMO_BASE: list[Callable[[], bool]] = []
_TODO_PROVIDERS: list[Callable[[Any], list[Todo]]] = []


def register_demo(order: int, label: str, seed: Callable[[], Any]) -> None:
    """Register an idempotent demo step (registering the same label again replaces it)."""
    _DEMO_STEPS[label] = DemoStep(order, label, seed)


def register_demo_base(seed: Callable[[], bool]) -> None:
    _DEMO_BASE[:] = [seed]


def demo_base() -> Callable[[], bool] | None:
    return _DEMO_BASE[0] if _DEMO_BASE else None


def demo_steps() -> list[DemoStep]:
    return sorted(_DEMO_STEPS.values(), key=lambda s: (s.order, s.label))


def register_todos(provider: Callable[[Any], list[Todo]]) -> None:
    if provider not in _TODO_PROVIDERS:
        _TODO_PROVIDERS.append(provider)


def todos_for(user: Any) -> list[Todo]:
    """Every registered provider's to-dos for ``user`` (urgent first, then by group), empty for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [item for provider in _TODO_PROVIDERS for item in provider(user) if item.count]
    return sorted(items, key=lambda t: (not t.urgent, str(t.group), str(t.label)))
