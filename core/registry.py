"""Registries: things looked up by key, and integrations (plugins) checked before deploying.

``Registry`` is the plain pattern: an app offers one, other apps register into it
by key (``documents.hooks.SUBJECTS`` is one: how a higher app hears about its
signed documents). A lower app never imports a higher one: it offers a registry.

``PluginRegistry`` holds the integrations of one kind (signers, bank file
formats, invoice formats; payment providers and channels next). Every plugin
has a ``key``, a ``label``, says whether it is a ``demo`` (a stand-in for
trying the portal, never for residents' real business) and lists what is
missing from its configuration (``problems``). The settings named in
``settings`` choose the plugins in use; a registry without settings uses all
its plugins. ``manage.py check --deploy`` reports, as errors, a demo plugin in
use while DEBUG is off, an unknown key, and every problem (``core.checks``).

    BANK_FILES = PluginRegistry("bank file format", settings=("PAYABLES_EXPORTER",))
    BANK_FILES.register(Pain001Exporter())
    exporter = BANK_FILES.chosen()          # the one PAYABLES_EXPORTER names
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Generic, Protocol, TypeVar

from django.conf import settings

T = TypeVar("T")


class Registry(Generic[T]):
    """Items registered under a key; registering the same key twice is a mistake."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, key: str, item: T) -> T:
        if self._items.get(key, item) is not item:
            raise ValueError(f"{self.name} {key!r} is already registered")
        self._items[key] = item
        return item

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise LookupError(f"unknown {self.name} {key!r} (known: {known})") from None

    def find(self, key: str) -> T | None:
        return self._items.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[str]:
        return list(self._items)


class Plugin(Protocol):
    """An integration: a real implementation or a demo one, possibly misconfigured."""

    key: str
    label: str

    @property
    def demo(self) -> bool:
        """True for a stand-in that must not serve the public (DEBUG off)."""
        ...

    def problems(self) -> list[str]:
        """What its configuration lacks in this deployment, as sentences for the operator."""
        ...


P = TypeVar("P", bound=Plugin)


class PluginRegistry(Registry[P]):
    """The plugins of one kind of integration; ``settings`` name those chosen."""

    every: ClassVar[list[PluginRegistry]] = []

    def __init__(self, name: str, *, settings: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        self.setting_names = settings
        PluginRegistry.every.append(self)

    def register(self, plugin: P) -> P:  # type: ignore[override]
        return super().register(plugin.key, plugin)

    def usable(self) -> list[P]:
        """The plugins people may pick here: demos only while DEBUG is on."""
        return [plugin for plugin in self if settings.DEBUG or not plugin.demo]

    def chosen(self, setting: str | None = None) -> P:
        """The plugin a setting names (the registry's first setting by default)."""
        return self.get(getattr(settings, setting or self.setting_names[0]))

    def in_use(self) -> Iterator[tuple[str, str]]:
        """(where it is chosen, key) for every plugin in use: by a setting, or registered."""
        if not self.setting_names:
            for key in self.keys():
                yield "registered", key
            return
        for name in self.setting_names:
            value = getattr(settings, name, "")
            for key in [value] if isinstance(value, str) else value:
                yield name, key
