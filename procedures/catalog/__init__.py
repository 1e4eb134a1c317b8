"""The procedure catalog: typed definitions read from YAML files reviewed in the repository.

``definitions`` holds what a procedure type is (frozen dataclasses: fields,
documents, fee, review steps, output); ``reader`` turns plain data into
definitions, reporting every problem at once with its file, a dotted key such as
``sections[1].fields[0].show_if.field`` and a reason (with a suggestion when a
name is close); ``files`` reads a catalog directory. Pure Python on purpose: the
Django layer syncs these definitions into versioned rows (a new version whenever
``content_hash()`` changes) and builds forms from them.

Any ``LocalizedText`` may be written as a plain string, meaning Spanish only;
procedure names must give es, en and it.
"""

from .definitions import (
    FIELD_KINDS,
    Catalog,
    CatalogError,
    CatalogInvalid,
    DocumentSpec,
    FeeSpec,
    FieldSpec,
    LocalizedText,
    ProcedureDefinition,
    Section,
)
from .files import CATALOG_DIR, load_catalog, validate_catalog
from .reader import parse_procedure

__all__ = [
    "CATALOG_DIR",
    "FIELD_KINDS",
    "Catalog",
    "CatalogError",
    "CatalogInvalid",
    "DocumentSpec",
    "FeeSpec",
    "FieldSpec",
    "LocalizedText",
    "ProcedureDefinition",
    "Section",
    "load_catalog",
    "parse_procedure",
    "validate_catalog",
]
