"""Catalog files: the YAML of a catalog directory, read into definitions.

Layout of a catalog directory (``CATALOG_DIR`` by default)::

    categories.yaml        list of {code, name}
    departments.yaml       list of {code, name, permission}
    types/<code>.yaml      one procedure type per file
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from .definitions import (
    _CODE,
    _CODE_HINT,
    _PERMISSION,
    _PERMISSION_HINT,
    Catalog,
    CatalogError,
    CatalogInvalid,
    Category,
    Department,
    ProcedureDefinition,
)
from .reader import Reader, raw_values, read_procedure

CATALOG_DIR = Path(__file__).resolve().parent


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader (C-accelerated when available) that rejects duplicate keys.

    PyYAML keeps the last of two equal keys silently, which would hide a mistake in review.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key}'", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(r: Reader, path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except FileNotFoundError:
        r.error("", "file not found")
    except UnicodeDecodeError as exc:
        r.error("", f"not UTF-8 text: {exc}")
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        r.error("", f"invalid YAML{at}: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        r.error("", f"invalid YAML: {exc}")
    return None


def _read_registry(r: Reader, path: Path, with_permission: bool) -> dict[str, Any] | None:
    data = _read_yaml(r, path)
    if r.errors:
        return None

    def entry(value: Any, key: str) -> Category | Department | None:
        mark = len(r.errors)
        required = ("code", "name", "permission") if with_permission else ("code", "name")
        m = r.mapping(value, key, required) or {}
        code = r.get(m, key, "code", partial(r.text, pattern=_CODE, hint=_CODE_HINT))
        name = r.get(m, key, "name", partial(r.localized, all_languages=True))
        if with_permission:
            permission = r.get(
                m, key, "permission", partial(r.text, pattern=_PERMISSION, hint=_PERMISSION_HINT)
            )
            built: Category | Department = Department(code, name, permission)
        else:
            built = Category(code, name)
        return built if len(r.errors) == mark else None

    entries = r.items(data, "", entry, min_items=1)
    r.unique(raw_values(data, "", "code"), "code")
    if with_permission:
        r.unique(raw_values(data, "", "permission"), "permission")
    return None if r.errors else {e.code: e for e in entries}


def _read_catalog(directory: Path) -> tuple[Catalog, list[CatalogError]]:
    errors: list[CatalogError] = []
    registries = []
    for file, with_permission in (("categories.yaml", False), ("departments.yaml", True)):
        r = Reader(file)
        registries.append(_read_registry(r, directory / file, with_permission))
        errors += r.errors
    categories, departments = registries
    procedures: dict[str, ProcedureDefinition] = {}
    code_files: dict[str, str] = {}
    types_dir = directory / "types"
    if not types_dir.is_dir():
        errors.append(CatalogError("types", "", "directory not found"))
    paths = sorted(types_dir.iterdir()) if types_dir.is_dir() else []
    for path in paths:
        if path.name.startswith("."):
            continue
        r = Reader(f"types/{path.name}")
        if path.suffix != ".yaml" or not path.is_file():
            r.error("", "the types directory only holds <code>.yaml files")
        elif (data := _read_yaml(r, path)) is not None or not r.errors:
            definition = read_procedure(r, data, categories, departments)
            code = data.get("code") if isinstance(data, dict) else None
            if isinstance(code, str):
                if f"{code}.yaml" != path.name:
                    r.error("code", f"the file must be named after the code: {code}.yaml")
                if code in code_files:
                    r.error("code", f"duplicate code '{code}' (also in {code_files[code]})")
                code_files.setdefault(code, r.file)
            if definition is not None and not r.errors:
                procedures[definition.code] = definition
        errors += r.errors
    catalog = Catalog(categories or {}, departments or {}, procedures)
    return catalog, errors


def validate_catalog(directory: Path = CATALOG_DIR) -> list[CatalogError]:
    """Every problem in the catalog; an empty list means it loads."""
    return _read_catalog(directory)[1]


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """The whole catalog, or ``CatalogInvalid`` listing every problem."""
    catalog, errors = _read_catalog(directory)
    if errors:
        raise CatalogInvalid(errors)
    return catalog
