"""The procedure catalog: typed definitions read from YAML files reviewed in the repository.

Layout of a catalog directory (``CATALOG_DIR`` by default)::

    categories.yaml        list of {code, name}
    departments.yaml       list of {code, name, permission}
    types/<code>.yaml      one procedure type per file

Validation reports every problem at once, each with its file and a dotted key such as
``sections[1].fields[0].show_if.field``, so that a reviewer can fix a pull request in one
pass. This module is pure Python on purpose: the Django layer syncs these definitions into
versioned rows (a new version whenever ``content_hash()`` changes) and builds forms from them.

Any ``LocalizedText`` may be written as a plain string, meaning Spanish only; procedure
names must give es, en and it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import string
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

import yaml

CATALOG_DIR = Path(__file__).resolve().parent
FieldKind = Literal[
    "text", "textarea", "number", "money", "date", "choice", "multichoice", "yesno",
    "email", "phone", "dni", "cuit", "address", "file",
]  # fmt: skip
Audience = Literal["resident", "internal"]
FeeKind = Literal["none", "fixed", "computed"]
ReviewKind = Literal["review", "inspection", "approval"]
OutputKind = Literal["certificate", "resolution", "acknowledgement", "none"]

FIELD_KINDS: tuple[str, ...] = get_args(FieldKind)
AUDIENCES: tuple[str, ...] = get_args(Audience)
FEE_KINDS: tuple[str, ...] = get_args(FeeKind)
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
    if spec.kind == "money" and isinstance(value, Decimal | int) and not isinstance(value, bool):
        grouped = f"{Decimal(value).quantize(CENTS):,}"  # 1,500.00 -> Argentine 1.500,00
        return grouped.translate(str.maketrans(",.", ".,"))
    if spec.kind == "number" and isinstance(value, Decimal):
        return str(value).replace(".", ",")
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


# --- Reading ----------------------------------------------------------------------------

T = TypeVar("T")


def _join(key: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{key}[{part}]"
    return f"{key}.{part}" if key else part


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    return {list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _template_names(body: str) -> list[str]:
    """Placeholder names in ``body``; ValueError if a brace is unbalanced."""
    return [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]


def _bad_placeholders(body: str) -> list[str]:
    """Placeholders other than a plain ``{field_name}`` (formats, conversions, indexes)."""
    return [
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        for _, name, spec, conversion in string.Formatter().parse(body)
        if name is not None and (spec or conversion or not _NAME.fullmatch(name))
    ]


class _Reader:
    """Turns the YAML of one file into definitions, collecting errors instead of stopping.

    Each parser returns its value, or None after reporting why it could not; callers build a
    dataclass only when no error was added under them (compare ``len(errors)`` with a mark).
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[CatalogError] = []

    def error(self, key: str, reason: str) -> None:
        self.errors.append(CatalogError(self.file, key, reason))

    def mapping(
        self, value: Any, key: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[Any, Any] | None:
        if not isinstance(value, dict):
            self.error(key, f"expected a mapping (key: value lines), got {_describe(value)}")
            return None
        allowed = (*required, *optional)
        for k in value:
            if k not in allowed:
                hint = _suggest(str(k), allowed) or f"; allowed keys: {', '.join(allowed)}"
                self.error(_join(key, str(k)), f"unknown key '{k}'{hint}")
        for k in required:
            if k not in value:
                self.error(_join(key, k), "missing required key")
        return value

    def get(
        self,
        m: Mapping[Any, Any],
        key: str,
        name: str,
        parse: Callable[[Any, str], T | None],
        default: T | None = None,
    ) -> T | None:
        """Parse ``m[name]``; a missing key yields ``default`` (``mapping`` reported it)."""
        return parse(m[name], _join(key, name)) if name in m else default

    def text(
        self, value: Any, key: str, pattern: re.Pattern[str] | None = None, hint: str = ""
    ) -> str | None:
        if not isinstance(value, str):
            quote = " (quote it if you meant text)" if value is not None else ""
            if isinstance(value, bool):
                quote = ": YAML reads unquoted yes/no/on/off/true/false as booleans, quote it"
            self.error(key, f"expected text, got {_describe(value)}{quote}")
            return None
        value = value.strip()
        if not value:
            self.error(key, "must not be empty")
        elif pattern is not None and not pattern.fullmatch(value):
            self.error(key, f"'{value}' is not valid: {hint}")
        else:
            return value
        return None

    def one_of(self, value: Any, key: str, options: tuple[str, ...]) -> Any:
        text = self.text(value, key)
        if text is not None and text not in options:
            self.error(
                key, f"'{text}' is not one of: {', '.join(options)}{_suggest(text, options)}"
            )
            return None
        return text

    def integer(self, value: Any, key: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"expected a whole number, got {_describe(value)}")
        elif not low <= value <= high:
            self.error(key, f"{value} is out of range: must be between {low} and {high}")
        else:
            return value
        return None

    def boolean(self, value: Any, key: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, got {_describe(value)}")
            return None
        return value

    def money(self, value: Any, key: str) -> Decimal | None:
        if isinstance(value, str) and _MONEY.fullmatch(value):
            return Decimal(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.error(key, f'got the YAML number {value}: {_MONEY_HINT} (here "{value:.2f}")')
        else:
            self.error(key, f"got {_describe(value)}: {_MONEY_HINT}")
        return None

    def number(self, value: Any, key: str) -> Decimal | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, str) and _NUMBER.fullmatch(value):
            return Decimal(value)
        reason = 'decimals must be quoted strings like "2.5", because YAML floats are binary'
        if not isinstance(value, float):
            reason = 'expected a whole number or a quoted decimal like "2.5"'
        self.error(key, f"got {_describe(value)}: {reason}")
        return None

    def localized(self, value: Any, key: str, all_languages: bool = False) -> LocalizedText | None:
        if isinstance(value, str) and not all_languages:
            value = {"es": value}
        elif not isinstance(value, dict):
            langs = "es, en and it" if all_languages else "es (en, it optional)"
            self.error(key, f"expected a mapping with {langs}, got {_describe(value)}")
            return None
        mark = len(self.errors)
        required = LANGUAGES if all_languages else LANGUAGES[:1]
        self.mapping(value, key, required, LANGUAGES[len(required) :])
        texts = {lang: self.get(value, key, lang, self.text) for lang in LANGUAGES}
        return LocalizedText(**texts) if len(self.errors) == mark else None

    def items(
        self, value: Any, key: str, parse: Callable[[Any, str], T | None], min_items: int = 0
    ) -> tuple[T, ...]:
        """Parsed items that succeeded; failures are reported, so check the error mark."""
        if not isinstance(value, list):
            self.error(key, f"expected a list (lines starting with '- '), got {_describe(value)}")
            return ()
        if len(value) < min_items:
            self.error(key, f"needs at least {min_items} item{'s' if min_items > 1 else ''}")
        parsed = (parse(item, _join(key, i)) for i, item in enumerate(value))
        return tuple(p for p in parsed if p is not None)

    def unique(self, entries: Iterable[tuple[str, Any]], what: str) -> None:
        first: dict[Any, str] = {}
        for key, value in entries:
            if not isinstance(value, Hashable):
                continue
            if value in first:
                self.error(key, f"duplicate {what} '{value}' (also at {first[value]})")
            else:
                first[value] = key

    def member(
        self, value: Any, key: str, registry: Collection[str] | None, what: str
    ) -> str | None:
        code = self.text(value, key)
        if code is not None and registry is not None and code not in registry:
            self.error(key, f"unknown {what} '{code}'{_suggest(code, registry)}")
            return None
        return code


def _raw_values(value: Any, key: str, attr: str | None = None) -> Iterable[tuple[str, Any]]:
    """(dotted key, text) of each item of a raw YAML list, or of its ``attr``: for duplicates."""
    for i, item in enumerate(value if isinstance(value, list) else []):
        if attr is None and isinstance(item, str):
            yield _join(key, i), item.strip()
        elif attr is not None and isinstance(item, dict) and isinstance(item.get(attr), str):
            yield _join(_join(key, i), attr), item[attr].strip()


# --- Procedure forms --------------------------------------------------------------------


@dataclass
class _Form:
    """Fields met so far while reading a procedure, in form order."""

    all_names: set[str]  # every field name in the file, to tell "later" from "unknown"
    seen: dict[str, FieldSpec | None] = field(default_factory=dict)  # None: field had errors
    where: dict[str, str] = field(default_factory=dict)

    def lookup(self, r: _Reader, name: str, key: str, *, earlier: bool = False) -> FieldSpec | None:
        """The field called ``name``, or None after reporting (silently if it had errors)."""
        if name in self.seen:
            return self.seen[name]
        if earlier and name in self.all_names:
            r.error(
                key,
                f"field '{name}' comes later in the form: a condition can only "
                "depend on a field shown before it",
            )
        elif name not in self.all_names:  # otherwise its own name was reported as invalid
            r.error(key, f"unknown field '{name}'{_suggest(name, self.all_names)}")
        return None


_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "choices": ("choice", "multichoice"),
    "min_value": ("number", "money"),
    "max_value": ("number", "money"),
    "decimal_places": ("number",),
    "max_length": ("text", "textarea"),
    "accept": ("file",),
    "max_size_mb": ("file",),
}


def _parse_choice(r: _Reader, value: Any, key: str) -> Choice | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("value", "label")) or {}
    choice_value = r.get(m, key, "value", partial(r.text, pattern=_CHOICE_VALUE, hint=_CHOICE_HINT))
    label = r.get(m, key, "label", r.localized)
    return Choice(choice_value, label) if len(r.errors) == mark else None


def _parse_show_if(
    r: _Reader, form: _Form, owner: str | None, value: Any, key: str
) -> ShowIf | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("field", "equals")) or {}
    target_name = r.get(m, key, "field", r.text)
    equals: tuple[str, ...] = ()
    if "equals" in m:
        raw = m["equals"]
        equals_key = _join(key, "equals")
        if isinstance(raw, list):
            equals = r.items(raw, equals_key, r.text, min_items=1)
            keyed = [(_join(equals_key, i), v) for i, v in enumerate(raw)]
        else:
            equals = tuple(v for v in [r.text(raw, equals_key)] if v is not None)
            keyed = [(equals_key, raw)]
        if len(r.errors) == mark and target_name is not None:
            if target_name == owner:
                r.error(_join(key, "field"), "a field cannot depend on itself")
            elif target := form.lookup(r, target_name, _join(key, "field"), earlier=True):
                if target.kind not in CONDITION_KINDS:
                    r.error(
                        _join(key, "field"),
                        f"'{target_name}' is a {target.kind} field: "
                        "show_if can only depend on a choice, multichoice or yesno field",
                    )
                else:
                    possible = target.choice_values
                    for k, v in keyed:
                        if v.strip() not in possible:
                            r.error(
                                k,
                                f"'{v}' is never a value of '{target_name}' "
                                f"(its values: {', '.join(possible)})",
                            )
    return ShowIf(target_name, equals) if len(r.errors) == mark else None


def _parse_accept(r: _Reader, value: Any, key: str) -> tuple[str, ...] | None:
    mark = len(r.errors)
    accept = r.items(value, key, partial(r.one_of, options=ALLOWED_MIME_TYPES), min_items=1)
    r.unique(_raw_values(value, key), "MIME type")
    return accept if len(r.errors) == mark else None


def _parse_field(r: _Reader, form: _Form, value: Any, key: str) -> FieldSpec | None:
    mark = len(r.errors)
    optional = ("help", "required", "show_if", *_KIND_KEYS)
    m = r.mapping(value, key, ("name", "kind", "label"), optional) or {}
    name = r.get(m, key, "name", partial(r.text, pattern=_NAME, hint=_NAME_HINT))
    if name in SYSTEM_PLACEHOLDERS:
        r.error(_join(key, "name"), f"'{name}' is reserved for output templates")
    kind = r.get(m, key, "kind", partial(r.one_of, options=FIELD_KINDS))
    values: dict[str, Any] = {
        "label": r.get(m, key, "label", r.localized),
        "help": r.get(m, key, "help", r.localized),
        "required": r.get(m, key, "required", r.boolean, True),
        "show_if": r.get(m, key, "show_if", partial(_parse_show_if, r, form, name)),
    }
    if kind is not None:
        for extra, kinds in _KIND_KEYS.items():
            if extra in m and kind not in kinds:
                r.error(
                    _join(key, extra),
                    f"'{extra}' only applies to {' and '.join(kinds)} fields, not {kind}",
                )
        if kind in CHOICE_KINDS:
            if "choices" not in m:
                r.error(_join(key, "choices"), f"missing required key for a {kind} field")
            values["choices"] = r.get(
                m,
                key,
                "choices",
                partial(r.items, parse=partial(_parse_choice, r), min_items=2),
                (),
            )
            r.unique(_raw_values(m.get("choices"), _join(key, "choices"), "value"), "choice value")
        if kind in ("number", "money"):
            bound = r.money if kind == "money" else r.number
            low = values["min_value"] = r.get(m, key, "min_value", bound)
            high = values["max_value"] = r.get(m, key, "max_value", bound)
            if low is not None and high is not None and low > high:
                r.error(_join(key, "max_value"), f"{high} is below min_value {low}")
        if kind == "number":
            values["decimal_places"] = r.get(
                m, key, "decimal_places", partial(r.integer, low=0, high=4), 0
            )
        if kind in ("text", "textarea"):
            values["max_length"] = r.get(
                m, key, "max_length", partial(r.integer, low=1, high=10_000)
            )
        if kind == "file":
            values["accept"] = r.get(
                m, key, "accept", partial(_parse_accept, r), ALLOWED_MIME_TYPES
            )
            values["max_size_mb"] = r.get(
                m, key, "max_size_mb", partial(r.integer, low=1, high=20), 10
            )
    result = FieldSpec(name, kind, **values) if len(r.errors) == mark else None
    if name is not None:
        if name in form.where:
            r.error(
                _join(key, "name"), f"duplicate field name '{name}' (also at {form.where[name]})"
            )
        else:
            form.where[name] = key
            form.seen[name] = result
    return result


def _parse_section(r: _Reader, form: _Form, value: Any, key: str) -> Section | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("title", "fields")) or {}
    title = r.get(m, key, "title", r.localized)
    section_fields = r.get(
        m, key, "fields", partial(r.items, parse=partial(_parse_field, r, form), min_items=1), ()
    )
    return Section(title, section_fields) if len(r.errors) == mark else None


def _parse_document(r: _Reader, value: Any, key: str) -> DocumentSpec | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("name", "label"), ("help", "required", "accept", "max_size_mb"))
    m = m or {}
    document = DocumentSpec(
        name=r.get(m, key, "name", partial(r.text, pattern=_NAME, hint=_NAME_HINT)),
        label=r.get(m, key, "label", r.localized),
        help=r.get(m, key, "help", r.localized),
        required=r.get(m, key, "required", r.boolean, True),
        accept=r.get(m, key, "accept", partial(_parse_accept, r), ALLOWED_MIME_TYPES),
        max_size_mb=r.get(m, key, "max_size_mb", partial(r.integer, low=1, high=20), 10),
    )
    return document if len(r.errors) == mark else None


# --- Fees and outputs -------------------------------------------------------------------


_FEE_KEYS: dict[str, tuple[str, ...]] = {
    "none": (),
    "fixed": ("amount",),
    "computed": ("base", "per_unit", "unit_field", "by_choice"),
}


def _parse_amounts(r: _Reader, value: Any, key: str) -> dict[str, Decimal] | None:
    if not isinstance(value, dict) or not value:
        r.error(key, f"expected a mapping of choice value: amount, got {_describe(value)}")
        return None
    mark = len(r.errors)
    amounts = {}
    for choice, amount in value.items():
        if not isinstance(choice, str):
            r.error(_join(key, str(choice)), f"choice values are text: quote {choice!r}")
        elif (parsed := r.money(amount, _join(key, choice))) is not None:
            amounts[choice] = parsed
    return amounts if len(r.errors) == mark else None


def _parse_by_choice(r: _Reader, value: Any, key: str) -> ByChoice | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("field", "amounts")) or {}
    choice_field = r.get(m, key, "field", r.text)
    amounts = r.get(m, key, "amounts", partial(_parse_amounts, r))
    return ByChoice(choice_field, amounts) if len(r.errors) == mark else None


def _parse_fee(r: _Reader, value: Any, key: str) -> FeeSpec | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("kind",), _FEE_KEYS["computed"] + _FEE_KEYS["fixed"]) or {}
    kind = r.get(m, key, "kind", partial(r.one_of, options=FEE_KINDS))
    if kind is None:
        return None
    for extra in m:
        if extra in _FEE_KEYS["fixed"] + _FEE_KEYS["computed"] and extra not in _FEE_KEYS[kind]:
            r.error(_join(key, extra), f"'{extra}' does not apply to a fee of kind {kind}")
    amount = r.get(m, key, "amount", r.money)
    if kind == "fixed" and "amount" not in m:
        r.error(_join(key, "amount"), "missing required key for a fixed fee")
    elif kind == "fixed" and amount == 0:
        r.error(_join(key, "amount"), "a fixed fee of 0.00 is written as kind: none")
    per_unit = r.get(m, key, "per_unit", r.money)
    unit_field = r.get(m, key, "unit_field", r.text)
    if kind == "computed":
        if ("per_unit" in m) != ("unit_field" in m):
            r.error(
                key,
                "per_unit and unit_field go together: the fee adds per_unit times "
                "the answer to unit_field",
            )
        if "per_unit" not in m and "by_choice" not in m:
            r.error(key, "a computed fee needs per_unit with unit_field, by_choice, or both")
    fee = FeeSpec(
        kind,
        amount=amount,
        base=r.get(m, key, "base", r.money),
        per_unit=per_unit,
        unit_field=unit_field,
        by_choice=r.get(m, key, "by_choice", partial(_parse_by_choice, r)),
    )
    return fee if len(r.errors) == mark else None


def _needed_on_every_application(r: _Reader, spec: FieldSpec, key: str, why: str) -> None:
    if not spec.required or spec.show_if is not None:
        r.error(key, f"'{spec.name}' must be required and without show_if: {why}")


def _check_fee(r: _Reader, fee: FeeSpec, form: _Form) -> None:
    """The fee must be computable from every valid application."""
    why = "the fee is computed from it"
    if fee.unit_field is not None:
        key = "fee.unit_field"
        if spec := form.lookup(r, fee.unit_field, key):
            if spec.kind not in ("number", "money"):
                r.error(
                    key,
                    f"'{spec.name}' is a {spec.kind} field: per_unit multiplies a "
                    "number or money field",
                )
            elif spec.min_value is None or spec.min_value < 0:
                r.error(
                    key,
                    f"'{spec.name}' needs a min_value of 0 or more, so that the fee "
                    "can never be negative",
                )
            _needed_on_every_application(r, spec, key, why)
    if fee.by_choice is not None:
        key = "fee.by_choice.field"
        if spec := form.lookup(r, fee.by_choice.field, key):
            if spec.kind != "choice":
                r.error(
                    key,
                    f"'{spec.name}' is a {spec.kind} field: by_choice needs a choice "
                    "field (one answer, one amount)",
                )
                return
            _needed_on_every_application(r, spec, key, why)
            values = spec.choice_values
            missing = [v for v in values if v not in fee.by_choice.amounts]
            if missing:
                r.error("fee.by_choice.amounts", f"missing amounts for: {', '.join(missing)}")
            for v in fee.by_choice.amounts:
                if v not in values:
                    r.error(
                        f"fee.by_choice.amounts.{v}",
                        f"'{v}' is not a value of '{spec.name}' (its values: {', '.join(values)})",
                    )


def _parse_output(r: _Reader, value: Any, key: str) -> OutputSpec | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("kind",), ("title", "body")) or {}
    kind = r.get(m, key, "kind", partial(r.one_of, options=OUTPUT_KINDS))
    if kind == "none":
        for extra in ("title", "body"):
            if extra in m:
                r.error(_join(key, extra), "an output of kind none has no title or body")
    elif kind is not None:
        for needed in [k for k in ("title", "body") if k not in m]:
            r.error(_join(key, needed), f"missing required key for a {kind}")
    title = r.get(m, key, "title", r.localized)
    body = r.get(m, key, "body", r.text)
    if body is not None:
        try:
            bad = _bad_placeholders(body)
        except ValueError as exc:
            bad = []
            r.error(
                _join(key, "body"),
                f"malformed template ({exc}); write a literal brace as {{{{ or }}}}",
            )
        for placeholder in bad:
            r.error(
                _join(key, "body"),
                f"placeholder {placeholder} is not valid: write a plain "
                "{field_name}, without formats, attributes or indexes",
            )
    if kind is None or len(r.errors) > mark:
        return None
    return OutputSpec(kind, title, body) if kind != "none" else OutputSpec(kind)


def _check_output(r: _Reader, output: OutputSpec, form: _Form) -> None:
    for name in output.placeholders():
        if name in SYSTEM_PLACEHOLDERS:
            continue
        key = "output.body"
        if name not in form.seen:
            options = (*form.all_names, *SYSTEM_PLACEHOLDERS)
            r.error(
                key,
                f"placeholder {{{name}}} is not a field of this procedure nor one of "
                f"{', '.join(sorted(SYSTEM_PLACEHOLDERS))}{_suggest(name, options)}",
            )
        elif spec := form.seen[name]:
            if spec.kind == "file":
                r.error(key, f"placeholder {{{name}}} is a file field, which has no text")
            else:
                _needed_on_every_application(
                    r, spec, key, f"placeholder {{{name}}} would leave a gap in the text"
                )


# --- Procedures and catalog -------------------------------------------------------------

_PROCEDURE_REQUIRED = (
    "code", "audience", "category", "name", "summary", "description", "who_can_apply",
    "requirements", "steps", "result", "fee", "deadline_business_days", "sections",
    "review_steps", "output",
)  # fmt: skip
_PROCEDURE_OPTIONAL = ("documents", "keywords")


def _parse_review_step(
    r: _Reader, departments: Collection[str] | None, value: Any, key: str
) -> ReviewStep | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("code", "name", "department", "kind")) or {}
    step = ReviewStep(
        code=r.get(m, key, "code", partial(r.text, pattern=_CODE, hint=_CODE_HINT)),
        name=r.get(m, key, "name", r.localized),
        department=r.get(
            m, key, "department", partial(r.member, registry=departments, what="department")
        ),
        kind=r.get(m, key, "kind", partial(r.one_of, options=REVIEW_KINDS)),
    )
    return step if len(r.errors) == mark else None


def _field_names(sections: Any) -> set[str]:
    return {
        f["name"]
        for s in (sections if isinstance(sections, list) else [])
        if isinstance(s, dict) and isinstance(s.get("fields"), list)
        for f in s["fields"]
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    }


def _parse_procedure(
    r: _Reader,
    data: Any,
    categories: Collection[str] | None,
    departments: Collection[str] | None,
) -> ProcedureDefinition | None:
    mark = len(r.errors)
    m = r.mapping(data, "", _PROCEDURE_REQUIRED, _PROCEDURE_OPTIONAL)
    if m is None:
        return None
    form = _Form(_field_names(m.get("sections")))
    many = partial(r.items, parse=r.localized, min_items=1)
    values: dict[str, Any] = {
        "code": r.get(m, "", "code", partial(r.text, pattern=_CODE, hint=_CODE_HINT)),
        "audience": r.get(m, "", "audience", partial(r.one_of, options=AUDIENCES)),
        "category": r.get(
            m, "", "category", partial(r.member, registry=categories, what="category")
        ),
        "name": r.get(m, "", "name", partial(r.localized, all_languages=True)),
        **{
            k: r.get(m, "", k, r.localized)
            for k in ("summary", "description", "who_can_apply", "result")
        },
        "requirements": r.get(m, "", "requirements", many),
        "steps": r.get(m, "", "steps", many),
        "fee": r.get(m, "", "fee", partial(_parse_fee, r)),
        "deadline_business_days": r.get(
            m, "", "deadline_business_days", partial(r.integer, low=1, high=180)
        ),
        "sections": r.get(
            m, "", "sections", partial(r.items, parse=partial(_parse_section, r, form), min_items=1)
        ),
        "documents": r.get(
            m, "", "documents", partial(r.items, parse=partial(_parse_document, r)), ()
        ),
        "review_steps": r.get(
            m,
            "",
            "review_steps",
            partial(r.items, parse=partial(_parse_review_step, r, departments), min_items=1),
        ),
        "output": r.get(m, "", "output", partial(_parse_output, r)),
        "keywords": r.get(m, "", "keywords", partial(r.items, parse=r.text), ()),
    }
    for document_key, name in _raw_values(m.get("documents"), "documents", "name"):
        if name in form.where:
            r.error(
                document_key,
                f"'{name}' is also a field name ({form.where[name]}): "
                "documents and fields share one form",
            )
    r.unique(_raw_values(m.get("documents"), "documents", "name"), "document name")
    r.unique(_raw_values(m.get("review_steps"), "review_steps", "code"), "review step code")
    r.unique(_raw_values(m.get("keywords"), "keywords"), "keyword")
    if values["fee"] is not None:
        _check_fee(r, values["fee"], form)
    if values["output"] is not None:
        _check_output(r, values["output"], form)
    return ProcedureDefinition(**values) if len(r.errors) == mark else None


def parse_procedure(
    data: Mapping[str, Any],
    *,
    categories: Collection[str] | None = None,
    departments: Collection[str] | None = None,
    file: str = "<data>",
) -> ProcedureDefinition:
    """One definition from plain data (YAML, or ``to_dict()`` stored by a version row).

    Category and department codes are checked only when their registries are given.
    """
    r = _Reader(file)
    definition = _parse_procedure(r, data, categories, departments)
    if r.errors or definition is None:
        raise CatalogInvalid(r.errors)
    return definition


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


def _read_yaml(r: _Reader, path: Path) -> Any:
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


def _read_registry(r: _Reader, path: Path, with_permission: bool) -> dict[str, Any] | None:
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
    r.unique(_raw_values(data, "", "code"), "code")
    if with_permission:
        r.unique(_raw_values(data, "", "permission"), "permission")
    return None if r.errors else {e.code: e for e in entries}


def _read_catalog(directory: Path) -> tuple[Catalog, list[CatalogError]]:
    errors: list[CatalogError] = []
    registries = []
    for file, with_permission in (("categories.yaml", False), ("departments.yaml", True)):
        r = _Reader(file)
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
        r = _Reader(f"types/{path.name}")
        if path.suffix != ".yaml" or not path.is_file():
            r.error("", "the types directory only holds <code>.yaml files")
        elif (data := _read_yaml(r, path)) is not None or not r.errors:
            definition = _parse_procedure(r, data, categories, departments)
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
