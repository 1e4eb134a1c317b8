"""Dependencies point one way: a lower app never imports a higher one, nor a sibling.

    core <- accounts <- documents, payments <- procedures, suppliers <- payables and the apps
    to come (contact centre, appointments, notices, phone menu, Open311) <- indicators

Every module of every app is imported (so a broken import fails here too) and read for its
imports, lazy ones inside functions included; every template of an app is read for the URLs
it links to. A lower app that needs a higher one offers a hook, a registry or a page slot
(``documents.hooks``, ``core.registry``, ``core.slots``). A new app takes its place here.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver

REPO = Path(settings.BASE_DIR)

LAYERS = {
    "core": 0,
    "accounts": 1,
    # Generic layers: documents and payments about subjects of any app, told through hooks.
    "documents": 2,
    "payments": 2,
    "procedures": 3,
    "suppliers": 3,
    "rates": 3,
    "payables": 4,
    "contact": 4,
    "appointments": 4,
    "notices": 4,
    "ivr": 5,
    "open311": 4,
    # The dashboard reads every other app.
    "indicators": 6,
}


# The apps of this repository that exist so far (the rest are still to come).
PRESENT = sorted(app for app in LAYERS if (REPO / app / "apps.py").is_file())


def _local_apps() -> list[str]:
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve() == REPO / config.name
    ]


def _modules(app: str) -> list[Path]:
    return sorted(path for path in (REPO / app).rglob("*.py") if "locale" not in path.parts)


def _imported(path: Path, app: str) -> set[str]:
    """Top-level packages of this repository that ``path`` imports (at any depth)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return {name for name in found if name in LAYERS and name != app}


def _allowed(importer: str, imported: str) -> bool:
    return LAYERS[imported] < LAYERS[importer]


def test_every_app_has_a_layer():
    missing = sorted(set(_local_apps()) - LAYERS.keys())
    assert not missing, f"add {missing} to LAYERS, below the apps it serves"


@pytest.mark.parametrize("app", PRESENT)
def test_apps_import_only_apps_below_them(app):
    wrong = []
    for path in _modules(app):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        if path.name != "__init__.py" or path.parent != REPO / app:
            importlib.import_module(module.removesuffix(".__init__"))
        wrong += [
            f"{path.relative_to(REPO)} imports {imported}"
            for imported in sorted(_imported(path, app))
            if not _allowed(app, imported)
        ]
    assert not wrong, "\n".join(wrong)


_URL_TAG = re.compile(r"""\{%\s*url\s+['"]([\w-]+):""")


def _namespace_apps() -> dict[str, str]:
    """URL namespace -> the app whose urls module declares it."""
    owners = {}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        module = getattr(resolver.urlconf_module, "__name__", "")
        owners[namespace] = module.split(".")[0]
    return owners


@pytest.mark.parametrize("app", PRESENT)
def test_app_templates_link_only_to_pages_of_apps_below_them(app):
    folders = [REPO / "templates" / app, REPO / app / "templates" / app]
    owners = _namespace_apps()
    wrong = []
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if not path.is_file():
                continue
            for namespace in _URL_TAG.findall(path.read_text()):
                owner = owners.get(namespace)
                if owner in LAYERS and owner != app and not _allowed(app, owner):
                    wrong.append(f"{path.relative_to(REPO)} links to {namespace}: ({owner})")
    assert not wrong, "\n".join(wrong)
