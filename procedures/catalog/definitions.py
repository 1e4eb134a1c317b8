"""The procedure catalog's definitions: typed, immutable, and what they compute.

A ``ProcedureDefinition`` is what one YAML file under ``types/`` says (read by
``procedures.catalog.reader``); versions store it as plain data (``to_dict``)
and the Django layer builds forms, fees and outputs from it.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, get_args

FieldKind = Literal[
    "text", "textarea", "number", "money", "date", "choice", "multichoice", "yesno",
    "email", "phone", "dni", "cuit", "address", "file",
]  # fmt: skip
Audience = Literal["resident", "internal"]
FeeKind = Literal["none", "fixed", "computed"]
# on_filing: the case waits for the payment before review; before_output: the output does.
FeeWhen = Literal["on_filing", "before_output"]
ReviewKind = Literal["review", "inspection", "approval"]
OutputKind = Literal["certificate", "resolution", "acknowledgement", "none"]

FIELD_KINDS: tuple[str, ...] = get_args(FieldKind)
AUDIENCES: tuple[str, ...] = get_args(Audience)
FEE_KINDS: tuple[str, ...] = get_args(FeeKind)
FEE_WHENS: tuple[str, ...] = get_args(FeeWhen)
REVIEW_KINDS: tuple[str, ...] = get_args(ReviewKind)
OUTPUT_KINDS: tuple[str, ...] = get_args(OutputKind)
CHOICE_KINDS = frozenset({"choice", "multichoice"})
# A show_if condition can only be checked against a closed set of values.
CONDITION_KINDS = CHOICE_KINDS | {"yesno"}
YESNO_VALUES = ("yes", "no")
LANGUAGES = ("es", "en", "it")
ALLOWED_MIME_TYPES = ("application/pdf", "image/jpeg", "image/png")
# Filled in by the Django layer when it renders an output; no field may take these names.
SYSTEM_PLACEHOLDERS = frozenset({"applicant_name", "applicant_id", "case_number", "issued_on"})
CENTS = Decimal("0.01")

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CODE_HINT = "use lowercase letters and digits separated by single hyphens"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,49}")
_NAME_HINT = "use lowercase letters, digits and _, starting with a letter (at most 50)"
_CHOICE_VALUE = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
_CHOICE_HINT = "use lowercase letters and digits separated by single - or _"
_PERMISSION = re.compile(r"[a-z][a-z0-9_]{0,99}")
_PERMISSION_HINT = "use lowercase letters, digits and _, starting with a letter"
_MONEY = re.compile(r"\d{1,12}\.\d{2}")
_NUMBER = re.compile(r"-?\d{1,12}(?:\.\d{1,4})?")
_MONEY_HINT = (
    'write money as a quoted string with two decimals, like "1500.00": an unquoted YAML '
    "number becomes a binary float, which cannot hold every amount in cents exactly"
)


# --- Definitions ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-ready form; None and empty tuples are left out so the output parses back."""
    if is_dataclass(value) and not isinstance(value, type):
        items = ((f.name, getattr(value, f.name)) for f in fields(value))
        return {k: _plain(v) for k, v in items if v is not None and v != ()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    return value


class _Model:
    def to_dict(self) -> dict[str, Any]:
        """Plain data that ``parse_procedure`` (or the YAML loader) reads back unchanged."""
        return _plain(self)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: stable across loads, key order and formatting."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LocalizedText(_Model):
    es: str
    en: str | None = None
    it: str | None = None

    def get(self, lang: str) -> str:
        """Text in ``lang`` (``"en"``, ``"it-IT"``…), falling back to Spanish."""
        return getattr(self, lang.split("-")[0].lower(), None) or self.es


@dataclass(frozen=True)
class Choice(_Model):
    value: str
    label: LocalizedText


@dataclass(frozen=True)
class ShowIf(_Model):
    """Show a field only when an earlier choice/multichoice/yesno field has one of ``equals``."""

    field: str
    equals: tuple[str, ...]

    def matches(self, answer: object) -> bool:
        if isinstance(answer, bool):  # a yes/no widget may hand back a boolean
            answer = YESNO_VALUES[0] if answer else YESNO_VALUES[1]
        if isinstance(answer, list | tuple | set | frozenset):  # multichoice: any selected
            return any(a in self.equals for a in answer)
        return answer in self.equals


@dataclass(frozen=True)
class FieldSpec(_Model):
    """One form field; ``required`` applies only while the field is shown (see ``show_if``)."""

    name: str
    kind: FieldKind
    label: LocalizedText
    help: LocalizedText | None = None
    required: bool = True
    show_if: ShowIf | None = None
    choices: tuple[Choice, ...] = ()  # choice, multichoice
    min_value: Decimal | None = None  # number, money
    max_value: Decimal | None = None  # number, money
    decimal_places: int | None = None  # number (0 means whole numbers)
    max_length: int | None = None  # text, textarea
    accept: tuple[str, ...] | None = None  # file
    max_size_mb: int | None = None  # file

    @property
    def choice_values(self) -> tuple[str, ...]:
        return YESNO_VALUES if self.kind == "yesno" else tuple(c.value for c in self.choices)


@dataclass(frozen=True)
class DocumentSpec(_Model):
    name: str
    label: LocalizedText
    help: LocalizedText | None = None
    required: bool = True
    accept: tuple[str, ...] = ALLOWED_MIME_TYPES
    max_size_mb: int = 10


@dataclass(frozen=True)
class Section(_Model):
    title: LocalizedText
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class ByChoice(_Model):
    field: str
    amounts: Mapping[str, Decimal]

    def __hash__(self) -> int:  # the generated hash would fail on the dict
        return hash((self.field, tuple(self.amounts.items())))


def _as_decimal(name: str, answer: object) -> Decimal:
    if isinstance(answer, bool) or answer is None:
        raise ValueError(f"the fee needs a number in '{name}', got {answer!r}")
    try:
        # str() first so that a float typed by a form keeps its short decimal spelling
        return answer if isinstance(answer, Decimal) else Decimal(str(answer))
    except InvalidOperation:
        raise ValueError(f"the fee needs a number in '{name}', got {answer!r}") from None


@dataclass(frozen=True)
class FeeSpec(_Model):
    """none; fixed ``amount``; or computed: ``base + per_unit × unit_field + by_choice``."""

    kind: FeeKind
    amount: Decimal | None = None
    base: Decimal | None = None
    per_unit: Decimal | None = None
    unit_field: str | None = None
    by_choice: ByChoice | None = None
    when: FeeWhen | None = None
    """Unset means on_filing (left out, so files written before it keep their hash)."""

    @property
    def paid_when(self) -> FeeWhen:
        return self.when or "on_filing"

    def compute(self, answers: Mapping[str, object]) -> Decimal:
        """Amount in ARS rounded half-up to cents; ValueError if an answer it needs is off."""
        total = self.amount or self.base or Decimal(0)
        if self.per_unit is not None and self.unit_field is not None:
            units = _as_decimal(self.unit_field, answers.get(self.unit_field))
            total += self.per_unit * units
        if self.by_choice is not None:
            picked = answers.get(self.by_choice.field)
            if not isinstance(picked, str) or picked not in self.by_choice.amounts:
                raise ValueError(f"the fee has no amount for {self.by_choice.field}={picked!r}")
            total += self.by_choice.amounts[picked]
        return total.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReviewStep(_Model):
    """Any step may approve, ask for corrections or reject; ``kind`` documents the intent."""

    code: str
    name: LocalizedText
    department: str
    kind: ReviewKind


@dataclass(frozen=True)
class OutputSpec(_Model):
    """What the applicant receives; ``body`` is Spanish with ``{field_name}`` placeholders."""

    kind: OutputKind
    title: LocalizedText | None = None
    body: str | None = None

    def placeholders(self) -> tuple[str, ...]:
        return tuple(_template_names(self.body or ""))


@dataclass(frozen=True)
class ProcedureDefinition(_Model):
    code: str
    audience: Audience
    category: str
    name: LocalizedText
    summary: LocalizedText
    description: LocalizedText
    who_can_apply: LocalizedText
    requirements: tuple[LocalizedText, ...]
    steps: tuple[LocalizedText, ...]
    result: LocalizedText
    fee: FeeSpec
    deadline_business_days: int
    sections: tuple[Section, ...]
    review_steps: tuple[ReviewStep, ...]
    output: OutputSpec
    documents: tuple[DocumentSpec, ...] = ()
    keywords: tuple[str, ...] = ()

    @property
    def online_payment(self) -> bool:
        return self.fee.kind != "none"

    def shown_texts(self) -> list[LocalizedText]:
        """Every text a visitor reads on the pages; the output document is Spanish only."""
        found: list[LocalizedText] = []

        def walk(value: object) -> None:
            if isinstance(value, LocalizedText):
                found.append(value)
            elif isinstance(value, tuple):
                for item in value:
                    walk(item)
            elif is_dataclass(value):
                for f in fields(value):
                    walk(getattr(value, f.name))

        for f in fields(self):
            if f.name != "output":
                walk(getattr(self, f.name))
        return found

    def translated_share(self, lang: str) -> float:
        """The share of shown texts written in ``lang`` (1.0 for Spanish)."""
        texts = self.shown_texts()
        if lang == "es" or not texts:
            return 1.0
        return sum(1 for t in texts if getattr(t, lang, None)) / len(texts)

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    def render_output(self, answers: Mapping[str, object], context: Mapping[str, str]) -> str:
        """The output body filled in Spanish; ``context`` gives the SYSTEM_PLACEHOLDERS.

        KeyError if a placeholder has no value: validation guarantees answers for all others.
        """
        values: dict[str, str] = dict(context)
        for spec in self.fields:
            if spec.name in answers:
                values[spec.name] = _display(spec, answers[spec.name])
        return (self.output.body or "").format_map(values)


def _display(spec: FieldSpec, value: object) -> str:
    """How an answer reads inside a Spanish text: labels, "sí"/"no", 1.500,00, dd/mm/aaaa."""
    if spec.kind in CHOICE_KINDS:
        labels = {c.value: c.label.es for c in spec.choices}
        picked = value if isinstance(value, list | tuple) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in picked)
    if spec.kind == "yesno":
        return "sí" if value in (True, "yes") else "no"
    if spec.kind in ("money", "number") and isinstance(value, str) and value:
        value = Decimal(value)  # answers are stored as JSON strings: "185000.50"
    if spec.kind == "money" and isinstance(value, Decimal | int) and not isinstance(value, bool):
        grouped = f"{Decimal(value).quantize(CENTS):,}"  # 1,500.00 -> Argentine 1.500,00
        return grouped.translate(str.maketrans(",.", ".,"))
    if spec.kind == "number" and isinstance(value, Decimal):
        grouped = f"{value.normalize():,f}"  # 1,500 -> Argentine 1.500
        return grouped.translate(str.maketrans(",.", ".,"))
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass(frozen=True)
class Category(_Model):
    code: str
    name: LocalizedText


@dataclass(frozen=True)
class Department(_Model):
    code: str
    name: LocalizedText
    permission: str


@dataclass(frozen=True)
class Catalog:
    categories: Mapping[str, Category]
    departments: Mapping[str, Department]
    procedures: Mapping[str, ProcedureDefinition]  # by code, sorted

    def for_audience(self, audience: Audience) -> tuple[ProcedureDefinition, ...]:
        return tuple(p for p in self.procedures.values() if p.audience == audience)


@dataclass(frozen=True)
class CatalogError:
    file: str  # relative to the catalog directory, e.g. "types/poda-arbol.yaml"
    key: str  # dotted path inside the file; "" for the whole file
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key or '(file)'}: {self.reason}"


class CatalogInvalid(Exception):
    def __init__(self, errors: list[CatalogError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} catalog error(s):\n" + "\n".join(map(str, errors)))


def _template_names(body: str) -> list[str]:
    """Placeholder names in ``body``; ValueError if a brace is unbalanced."""
    return [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
