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

from django.conf import settings
from django.http import HttpRequest
from django.template import Context, engines
from django.template.loader import get_template, render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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

    def html(
        self, request: HttpRequest, values: Mapping[str, Any], processed: dict | None = None
    ) -> str:
        """``processed``: the context processors' values for ``request``, if already run."""
        if self.render is not None:
            return conditional_escape(self.render(request, **values) or "")
        context = self.context(request, **values) if self.context else dict(values)
        if context is None:
            return ""
        if request is None or processed is None:
            return render_to_string(self.template, dict(context), request=request)
        # What render_to_string(request=...) would give, without running the processors again.
        return get_template(self.template).template.render(Context({**processed, **context}))


declared: dict[str, str] = {}
_panels: dict[str, Registry[Panel]] = {}
_same_for_everyone: set[str] = set()
_rendered: dict[tuple[str, str | None], SafeString] = {}  # same-for-everyone slots, by language


def declare(slot: str, description: str, *, same_for_everyone: bool = False) -> None:
    """Offer a slot on one of this app's pages; ``description`` says where and what it gets.

    A slot ``same_for_everyone`` (the footer's links) takes only panels of a template
    without a context function, which must not depend on the request or the visitor: it
    is rendered once per language and process (every request outside DEBUG).
    """
    declared[slot] = description
    if same_for_everyone:
        _same_for_everyone.add(slot)


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
    if slot in _same_for_everyone and (context or render):
        raise ValueError(f"{slot} is the same for everyone: a template without context")
    panels = _panels.setdefault(slot, Registry(f"panel of {slot}"))
    panels.register(
        key, Panel(key=key, order=order, template=template, context=context, render=render)
    )
    _rendered.clear()


def withdraw(slot: str, *, key: str) -> None:
    """Remove a panel (tests that add their own)."""
    if slot in _panels:
        _panels[slot].unregister(key)
    _rendered.clear()


def panels(slot: str) -> list[Panel]:
    return sorted(_panels.get(slot, ()), key=lambda panel: (panel.order, panel.key))


def render_slot(slot: str, request: HttpRequest, values: Mapping[str, Any]) -> SafeString:
    if slot not in _same_for_everyone or settings.DEBUG:  # DEBUG: templates edited live
        return _render(slot, request, values)
    key = (slot, get_language())
    if key not in _rendered:
        _rendered[key] = _render(slot, request, values)
    return _rendered[key]


def _render(slot: str, request: HttpRequest, values: Mapping[str, Any]) -> SafeString:
    shown = panels(slot)
    # The context processors once for all the slot's panels, not once per panel template.
    processed = {} if request is not None and shown else None
    if processed is not None:
        for processor in engines["django"].engine.template_context_processors:
            processed.update(processor(request))
    return mark_safe("".join(panel.html(request, values, processed) for panel in shown))  # noqa: S308 - each part is escaped or a rendered template


def undeclared_contributions() -> list[str]:
    return sorted(
        slot for slot, contributed in _panels.items() if contributed and slot not in declared
    )
