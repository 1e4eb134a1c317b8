"""Which installed apps' static files the portal collects and serves."""

from __future__ import annotations

from django.apps import apps
from django.contrib.staticfiles.finders import AppDirectoriesFinder

# viewflow's own frontend (Material UI, fonts, dashboards: 50 MB) is not used: the portal
# renders its own pages. Its bundled CSS also names font files the package does not ship,
# which stops the manifest storage's `collectstatic`.
UNUSED_STATIC = frozenset({"viewflow"})


class PortalAppDirectoriesFinder(AppDirectoriesFinder):
    """Django's finder of apps' ``static/`` folders, without the apps in ``UNUSED_STATIC``."""

    def __init__(self, app_names=None, *args, **kwargs):
        if app_names is None:
            app_names = [
                config.name for config in apps.get_app_configs() if config.name not in UNUSED_STATIC
            ]
        super().__init__(app_names, *args, **kwargs)
