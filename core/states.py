"""Status fields as state machines: the allowed transitions, declared once next to the choices.

    class Batch(models.Model):
        class Status(models.TextChoices): ...
        STATES = StateMachine({Status.DRAFT: {Status.APPROVED, Status.CANCELLED}, ...})

    Batch.STATES.move(batch, Batch.Status.APPROVED, refusal=_("This batch is not a draft."))

``move`` changes the field in memory (the service saves it, under its row
lock) and refuses, with ``ActionRefused``, a transition the table does not
allow. ``sources`` gives the states a bulk update may start from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from .errors import ActionRefused


class StateMachine:
    def __init__(self, transitions: Mapping[str, Iterable[str]], *, field: str = "status") -> None:
        self.field = field
        self.transitions: dict[str, frozenset[str]] = {
            source: frozenset(targets) for source, targets in transitions.items()
        }
        for targets in self.transitions.values():
            unknown = targets - self.transitions.keys()
            if unknown:
                raise ValueError(f"states without a row of their own: {sorted(unknown)}")

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.transitions)

    def allows(self, source: str, target: str) -> bool:
        return target in self.transitions.get(source, frozenset())

    def sources(self, target: str) -> list[str]:
        """The states that may move to ``target`` (for ``filter(status__in=...)`` bulk moves)."""
        return sorted(source for source, targets in self.transitions.items() if target in targets)

    def is_final(self, state: str) -> bool:
        return not self.transitions.get(state)

    def move(self, instance: Any, target: str, *, refusal: str | None = None) -> str:
        """Set ``instance``'s status to ``target``; returns the previous one."""
        current = getattr(instance, self.field)
        if not self.allows(current, target):
            display = getattr(instance, f"get_{self.field}_display", lambda: current)()
            raise ActionRefused(
                refusal
                or _("It cannot change from “%(current)s” to that now.") % {"current": display}
            )
        setattr(instance, self.field, target)
        return current
