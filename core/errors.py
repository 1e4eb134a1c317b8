"""The one application error: an action refused, with a message ready to show.

Services raise ``ActionRefused`` when what was asked cannot be done now (a
stale page, a double click, a rule of the domain); ``str(exc)`` is a
translated sentence for the person who asked. Views show it with
``core.views.refusal_shown``; one that escapes a view is turned into the same
message by ``core.middleware.ActionRefusedMiddleware``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ActionRefused(Exception):
    """The action is not possible now; the message says why, ready to show."""


class FlowBusy(ActionRefused):
    """Someone else holds the workflow lock of this case or invoice."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone else is acting on this right now. Nothing was changed: try again.")
        )
