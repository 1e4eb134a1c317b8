"""Page slots: places on a lower app's page where higher apps add panels.

A lower app must not import the apps built on it, yet their features show on
its pages (the fee to pay on the resident's case page, the payment of an
invoice on the supplier's invoice page). The lower app declares a slot and
renders it; a higher app contributes a panel to it from its ``AppConfig.ready``:

    # procedures/apps.py (the lower app)
    slots.declare("procedures.case_page", "Resident's case page, after the status. Gets: case.")
    # procedures/templates/...case_detail.html
    {% load slots %}{% slot "procedures.case_page" case=case %}

    # payments/apps.py (the higher app)
    slots.contribute(
        "procedures.case_page", key="payments.fee",
        template="payments/_fee_panel.html", context=lambda request, case: {"case": case},
    )

A contribution is a template with a context function, or a function that
returns HTML itself; either may return ``None`` to show nothing for this
request. Panels render in ``order``, then by key. ``manage.py check`` reports
contributions to slots nobody declared (a typo, or a slot that was removed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .registry import Registry

ContextFunction = Callable[..., Mapping[str, Any] | None]
RenderFunction = Callable[..., str | None]


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    template: str = ""
    context: ContextFunction | None = None
    render: RenderFunction | None = None

    def html(self, request: HttpRequest, values: Mapping[str, Any]) -> str:
        if self.render is not None:
            return conditional_escape(self.render(request, **values) or "")
        context = self.context(request, **values) if self.context else dict(values)
        if context is None:
            return ""
        return render_to_string(self.template, dict(context), request=request)


declared: dict[str, str] = {}
_panels: dict[str, Registry[Panel]] = {}


def declare(slot: str, description: str) -> None:
    """Offer a slot on one of this app's pages; ``description`` says where and what it gets."""
    declared[slot] = description


def contribute(
    slot: str,
    *,
    key: str,
    template: str = "",
    context: ContextFunction | None = None,
    render: RenderFunction | None = None,
    order: int = 100,
) -> None:
    """Add a panel to a slot: ``template`` rendered with ``context(request, **values)``, or
    ``render(request, **values)`` returning HTML; ``None`` from either shows nothing."""
    if bool(template) == bool(render):
        raise ValueError("a panel has either a template or a render function")
    panels = _panels.setdefault(slot, Registry(f"panel of {slot}"))
    panels.register(
        key, Panel(key=key, order=order, template=template, context=context, render=render)
    )


def withdraw(slot: str, *, key: str) -> None:
    """Remove a panel (tests that add their own)."""
    if slot in _panels:
        _panels[slot].unregister(key)


def panels(slot: str) -> list[Panel]:
    return sorted(_panels.get(slot, ()), key=lambda panel: (panel.order, panel.key))


def render_slot(slot: str, request: HttpRequest, values: Mapping[str, Any]) -> SafeString:
    return mark_safe("".join(panel.html(request, values) for panel in panels(slot)))  # noqa: S308 - each part is escaped or a rendered template


def undeclared_contributions() -> list[str]:
    return sorted(
        slot for slot, contributed in _panels.items() if contributed and slot not in declared
    )
