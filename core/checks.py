"""``manage.py check --deploy``: integrations fit for production (see ``core.registry``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

from .registry import PluginRegistry
from .slots import undeclared_contributions


@register(Tags.security, deploy=True)
def plugins_fit_for_production(app_configs=None, **kwargs) -> list[Error]:
    errors: list[Error] = []
    for registry in PluginRegistry.every:
        for where, key in registry.in_use():
            plugin = registry.find(key)
            if plugin is None:
                errors.append(
                    Error(
                        f"{where}={key!r} is not a known {registry.name}.",
                        hint=f"Known: {', '.join(sorted(registry.keys())) or 'none'}.",
                        id="core.E101",
                    )
                )
                continue
            if plugin.demo and not settings.DEBUG:
                errors.append(
                    Error(
                        f"The {registry.name} {key!r} ({plugin.label}) is a demo, in use "
                        "with DEBUG off.",
                        hint=f"Configure a real {registry.name} ({where}).",
                        id="core.E102",
                    )
                )
            errors.extend(
                Error(f"{registry.name} {key!r}: {problem}", id="core.E103")
                for problem in plugin.problems()
            )
    return errors


@register()
def slots_are_declared(app_configs=None, **kwargs) -> list[Error]:
    return [
        Error(
            f"Panels are contributed to the page slot {slot!r}, which no app declares.",
            hint="Check the slot's name against core.slots.declared.",
            id="core.E110",
        )
        for slot in undeclared_contributions()
    ]


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


@register(Tags.security, deploy=True)
def public_address_is_set(app_configs=None, **kwargs) -> list[Error]:
    """Links in e-mails and on signed documents are built from SITE_URL alone."""
    address = urlsplit(settings.SITE_URL)
    if address.hostname in LOCAL_HOSTS or address.hostname is None:
        return [
            Error(
                f"SITE_URL is {settings.SITE_URL!r}: links in e-mails and on signed "
                "documents would point at this machine.",
                hint="Set SITE_URL to the portal's public address, e.g. https://tramites.example.gob.ar.",
                id="core.E120",
            )
        ]
    if address.scheme != "https":
        return [
            Error(
                f"SITE_URL {settings.SITE_URL!r} is not https.",
                hint="Residents follow these links from e-mails: serve them over https.",
                id="core.E121",
            )
        ]
    return []


# Backends whose state lives in one process or on one machine's disk.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


@register(Tags.caches, deploy=True)
def shared_between_machines(app_configs=None, **kwargs) -> list[Error]:
    """Production runs several web processes, often on several machines (docs/deployment.md):
    login rate limits and cached pages must be seen by all of them."""
    if settings.DEBUG:
        return []
    errors = []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        errors.append(
            Error(
                f"The cache ({backend}) is not shared between processes: login rate limits "
                "would count per process.",
                hint="Set CACHE_URL to a Redis database every web process reaches.",
                id="core.E122",
            )
        )
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        errors.append(
            Error(
                "No Celery broker: background work would run inside the web request.",
                hint="Set CELERY_BROKER_URL to the Redis every web process and worker reaches.",
                id="core.E123",
            )
        )
    return errors
