"""Reading definitions from plain data, reporting every problem with its key and reason.

Each problem names the file and a dotted key such as
``sections[1].fields[0].show_if.field``, with a suggestion when a name is close
to a known one, so a reviewer fixes a pull request in one pass.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from .definitions import (
    _CHOICE_HINT,
    _CHOICE_VALUE,
    _CODE,
    _CODE_HINT,
    _MONEY,
    _MONEY_HINT,
    _NAME,
    _NAME_HINT,
    _NUMBER,
    ALLOWED_MIME_TYPES,
    AUDIENCES,
    CHOICE_KINDS,
    CONDITION_KINDS,
    FEE_KINDS,
    FEE_WHENS,
    FIELD_KINDS,
    LANGUAGES,
    OUTPUT_KINDS,
    REVIEW_KINDS,
    SYSTEM_PLACEHOLDERS,
    ByChoice,
    CatalogError,
    CatalogInvalid,
    Choice,
    DocumentSpec,
    FeeSpec,
    FieldSpec,
    LocalizedText,
    OutputSpec,
    ProcedureDefinition,
    ReviewStep,
    Section,
    ShowIf,
)

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


def _bad_placeholders(body: str) -> list[str]:
    """Placeholders other than a plain ``{field_name}`` (formats, conversions, indexes)."""
    return [
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        for _, name, spec, conversion in string.Formatter().parse(body)
        if name is not None and (spec or conversion or not _NAME.fullmatch(name))
    ]


class Reader:
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


def raw_values(value: Any, key: str, attr: str | None = None) -> Iterable[tuple[str, Any]]:
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

    def lookup(self, r: Reader, name: str, key: str, *, earlier: bool = False) -> FieldSpec | None:
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


def _parse_choice(r: Reader, value: Any, key: str) -> Choice | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("value", "label")) or {}
    choice_value = r.get(m, key, "value", partial(r.text, pattern=_CHOICE_VALUE, hint=_CHOICE_HINT))
    label = r.get(m, key, "label", r.localized)
    return Choice(choice_value, label) if len(r.errors) == mark else None


def _parse_show_if(
    r: Reader, form: _Form, owner: str | None, value: Any, key: str
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


def _parse_accept(r: Reader, value: Any, key: str) -> tuple[str, ...] | None:
    mark = len(r.errors)
    accept = r.items(value, key, partial(r.one_of, options=ALLOWED_MIME_TYPES), min_items=1)
    r.unique(raw_values(value, key), "MIME type")
    return accept if len(r.errors) == mark else None


def _parse_field(r: Reader, form: _Form, value: Any, key: str) -> FieldSpec | None:
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
            r.unique(raw_values(m.get("choices"), _join(key, "choices"), "value"), "choice value")
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


def _parse_section(r: Reader, form: _Form, value: Any, key: str) -> Section | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("title", "fields")) or {}
    title = r.get(m, key, "title", r.localized)
    section_fields = r.get(
        m, key, "fields", partial(r.items, parse=partial(_parse_field, r, form), min_items=1), ()
    )
    return Section(title, section_fields) if len(r.errors) == mark else None


def _parse_document(r: Reader, value: Any, key: str) -> DocumentSpec | None:
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


def _parse_amounts(r: Reader, value: Any, key: str) -> dict[str, Decimal] | None:
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


def _parse_by_choice(r: Reader, value: Any, key: str) -> ByChoice | None:
    mark = len(r.errors)
    m = r.mapping(value, key, ("field", "amounts")) or {}
    choice_field = r.get(m, key, "field", r.text)
    amounts = r.get(m, key, "amounts", partial(_parse_amounts, r))
    return ByChoice(choice_field, amounts) if len(r.errors) == mark else None


def _parse_fee(r: Reader, value: Any, key: str) -> FeeSpec | None:
    mark = len(r.errors)
    m = (
        r.mapping(value, key, ("kind",), (*_FEE_KEYS["computed"], *_FEE_KEYS["fixed"], "when"))
        or {}
    )
    kind = r.get(m, key, "kind", partial(r.one_of, options=FEE_KINDS))
    if kind is None:
        return None
    when = r.get(m, key, "when", partial(r.one_of, options=FEE_WHENS))
    if kind == "none" and "when" in m:
        r.error(_join(key, "when"), "'when' does not apply to a fee of kind none: nothing is paid")
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
        when=when,
    )
    return fee if len(r.errors) == mark else None


def _needed_on_every_application(r: Reader, spec: FieldSpec, key: str, why: str) -> None:
    if not spec.required or spec.show_if is not None:
        r.error(key, f"'{spec.name}' must be required and without show_if: {why}")


def _check_fee(r: Reader, fee: FeeSpec, form: _Form) -> None:
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


def _parse_output(r: Reader, value: Any, key: str) -> OutputSpec | None:
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


def _check_output(r: Reader, output: OutputSpec, form: _Form) -> None:
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
    r: Reader, departments: Collection[str] | None, value: Any, key: str
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


def read_procedure(
    r: Reader,
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
    for document_key, name in raw_values(m.get("documents"), "documents", "name"):
        if name in form.where:
            r.error(
                document_key,
                f"'{name}' is also a field name ({form.where[name]}): "
                "documents and fields share one form",
            )
    r.unique(raw_values(m.get("documents"), "documents", "name"), "document name")
    r.unique(raw_values(m.get("review_steps"), "review_steps", "code"), "review step code")
    r.unique(raw_values(m.get("keywords"), "keywords"), "keyword")
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
    r = Reader(file)
    definition = read_procedure(r, data, categories, departments)
    if r.errors or definition is None:
        raise CatalogInvalid(r.errors)
    return definition
