"""Django forms generated from a procedure definition.

Validation happens here, on the server, identically with or without
JavaScript: a field with ``show_if`` is validated (and kept) only when the
answer it depends on has one of the listed values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.files import check_upload, describe_types
from core.forms import ArgentineDecimalField
from core.identifiers import InvalidIdentifier, normalize_cuit, normalize_dni

from .catalog import DocumentSpec, FieldSpec, ProcedureDefinition, Section

YES_NO = (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))
PHONE = RegexValidator(
    r"^\+?[0-9 ()\-]{6,25}$",
    gettext_lazy("Write a phone number with area code, for example 0351 555-1234."),
)


def _lang() -> str:
    return (get_language() or "es")[:2]


class IdentifierField(forms.CharField):
    def __init__(self, *, normalize, **kwargs):
        self.normalize = normalize
        super().__init__(max_length=13, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return self.normalize(value)
        except InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc)) from exc


class DefinitionFileField(forms.FileField):
    def __init__(self, *, accept: tuple[str, ...], max_size_mb: int, **kwargs):
        self.accept, self.max_size_mb = accept, max_size_mb
        super().__init__(
            widget=forms.ClearableFileInput(attrs={"accept": ",".join(accept)}), **kwargs
        )

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and hasattr(uploaded, "size"):
            uploaded.sniffed_type = check_upload(
                uploaded, accept=self.accept, max_size_mb=self.max_size_mb
            )
        return uploaded


def _upload_help(accept: tuple[str, ...], max_size_mb: int) -> str:
    return _("%(types)s, up to %(size)d MB.") % {
        "types": describe_types(accept),
        "size": max_size_mb,
    }


def build_field(
    spec: FieldSpec, definition: ProcedureDefinition, *, condition_on_page: bool = True
) -> forms.Field:
    """A form field for ``spec``; ``condition_on_page`` is False when the answer its
    ``show_if`` depends on was given on an earlier page (then the server already decided)."""
    lang = _lang()
    label = spec.label.get(lang)
    options: dict[str, Any] = {
        "label": label if spec.required else _("%(label)s (optional)") % {"label": label},
        "required": False,  # enforced in clean(), where show_if is known
        "help_text": spec.help.get(lang) if spec.help else "",
    }
    if spec.show_if and condition_on_page:
        controller = definition.field(spec.show_if.field)
        labels = {c.value: c.label.get(lang) for c in controller.choices} | dict(YES_NO)
        shown_when = ", ".join(str(labels.get(v, v)) for v in spec.show_if.equals)
        options["help_text"] = " ".join(
            filter(
                None,
                [
                    options["help_text"],
                    _("Only if “%(field)s” is %(values)s.")
                    % {"field": controller.label.get(lang), "values": shown_when},
                ],
            )
        )
    choices = [(c.value, c.label.get(lang)) for c in spec.choices]
    kind = spec.kind
    if kind == "text":
        return forms.CharField(max_length=spec.max_length or 200, **options)
    if kind == "textarea":
        return forms.CharField(
            max_length=spec.max_length or 4000, widget=forms.Textarea(attrs={"rows": 5}), **options
        )
    if kind in ("number", "money"):
        return ArgentineDecimalField(
            min_value=spec.min_value,
            max_value=spec.max_value,
            decimal_places=2 if kind == "money" else (spec.decimal_places or 0),
            max_digits=14,
            **options,
        )
    if kind == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **options
        )
    if kind == "choice":
        widget = forms.RadioSelect if len(choices) <= 6 else forms.Select
        if widget is forms.Select:
            choices = [("", _("Choose an option")), *choices]
        return forms.ChoiceField(choices=choices, widget=widget, **options)
    if kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **options
        )
    if kind == "yesno":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **options)
    if kind == "email":
        return forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}), **options)
    if kind == "phone":
        return forms.CharField(
            max_length=25,
            validators=[PHONE],
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            **options,
        )
    if kind == "dni":
        return IdentifierField(
            normalize=normalize_dni,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **options,
        )
    if kind == "cuit":
        return IdentifierField(
            normalize=normalize_cuit,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **options,
        )
    if kind == "address":
        return forms.CharField(
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
            **options,
        )
    if kind == "file":
        accept = spec.accept or ("application/pdf", "image/jpeg", "image/png")
        size = spec.max_size_mb or 10
        options["help_text"] = " ".join(
            filter(None, [options["help_text"], _upload_help(accept, size)])
        )
        return DefinitionFileField(accept=accept, max_size_mb=size, **options)
    raise ValueError(f"unknown field kind {kind}")


def to_json(value: Any) -> Any:
    """Answers are stored as JSON: decimals and dates as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _empty(value: Any) -> bool:
    return value in (None, "", [], ())


def applies(spec: FieldSpec, section: Section, earlier_answers: dict[str, Any]) -> bool:
    """Whether ``spec`` can be shown on its page: a condition on an answer given on an
    earlier page is decided here, once; one on the same page is left to the resident."""
    if spec.show_if is None or any(f.name == spec.show_if.field for f in section.fields):
        return True
    return spec.show_if.matches(earlier_answers.get(spec.show_if.field))


def section_applies(section: Section, earlier_answers: dict[str, Any]) -> bool:
    """A page whose every field depends on earlier answers that exclude them is skipped."""
    return any(applies(spec, section, earlier_answers) for spec in section.fields)


class SectionForm(forms.Form):
    """One section of a procedure's form.

    ``known_answers`` are the answers saved earlier, so that a field can depend on
    a field of a previous section: such a field is left out when that answer excludes
    it, and otherwise shown without a condition in the page (the browser could not
    evaluate it: the answer is not in this page's form).
    """

    def __init__(
        self,
        *args,
        definition: ProcedureDefinition,
        section: Section,
        known_answers: dict[str, Any],
        only: set[str] | None = None,
        **kwargs,
    ):
        self.definition, self.section, self.known_answers = definition, section, known_answers
        wanted = [f for f in section.fields if only is None or f.name in only]
        self.specs = [f for f in wanted if applies(f, section, known_answers)]
        self.excluded = [f for f in wanted if f not in self.specs]
        on_page = {f.name for f in self.specs}
        super().__init__(*args, **kwargs)
        for spec in self.specs:
            condition_on_page = spec.show_if is not None and spec.show_if.field in on_page
            self.fields[spec.name] = build_field(
                spec, definition, condition_on_page=condition_on_page
            )
            if condition_on_page:
                self.fields[spec.name].widget.attrs["data-show-if"] = spec.show_if.field
                self.fields[spec.name].widget.attrs["data-show-values"] = "|".join(
                    spec.show_if.equals
                )

    def is_shown(self, spec: FieldSpec, answers: dict[str, Any]) -> bool:
        return spec.show_if is None or spec.show_if.matches(answers.get(spec.show_if.field))

    def clean(self):
        cleaned = super().clean()
        answers = {**self.known_answers, **cleaned}
        for spec in self.specs:
            if not self.is_shown(spec, answers):
                cleaned[spec.name] = None  # hidden: whatever was typed is dropped
                self.errors.pop(spec.name, None)
                continue
            value = cleaned.get(spec.name)
            already_stored = spec.kind == "file" and spec.name in self.known_answers
            if (
                spec.required
                and _empty(value)
                and spec.name not in self.errors
                and not already_stored
            ):
                self.add_error(spec.name, _("This field is required."))
        return cleaned

    def answers(self) -> dict[str, Any]:
        """JSON answers for the non-file fields of this section (None for the excluded)."""
        return {
            spec.name: to_json(self.cleaned_data.get(spec.name)) if spec in self.specs else None
            for spec in [*self.specs, *self.excluded]
            if spec.kind != "file"
        }

    def accepted_uploads(self) -> dict[str, Any]:
        """After a refusal: the files that passed their own checks, to keep."""
        return _accepted_uploads(self)

    def uploads(self) -> dict[str, Any]:
        return {
            spec.name: self.cleaned_data[spec.name]
            for spec in self.specs
            if spec.kind == "file" and self.cleaned_data.get(spec.name)
        }


class DocumentsForm(forms.Form):
    """The required documents of a procedure (or those named in a correction request)."""

    def __init__(self, *args, documents: tuple[DocumentSpec, ...], present: set[str], **kwargs):
        self.documents, self.present = documents, present
        super().__init__(*args, **kwargs)
        lang = _lang()
        for spec in documents:
            help_text = _upload_help(spec.accept, spec.max_size_mb)
            if spec.help:
                help_text = f"{spec.help.get(lang)} {help_text}"
            if spec.name in present:
                help_text += " " + _("Already attached: choose a file only to replace it.")
            self.fields[spec.name] = DefinitionFileField(
                accept=spec.accept,
                max_size_mb=spec.max_size_mb,
                label=spec.label.get(lang),
                required=spec.required and spec.name not in present,
                help_text=help_text,
            )

    def uploads(self) -> dict[str, Any]:
        return {name: f for name, f in self.cleaned_data.items() if f}

    def accepted_uploads(self) -> dict[str, Any]:
        """After a refusal: the files that passed their own checks, to keep."""
        return _accepted_uploads(self)


def _accepted_uploads(form: forms.Form) -> dict[str, Any]:
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if isinstance(form.fields[name], DefinitionFileField)
        and name not in form.errors
        and hasattr(value, "sniffed_type")
    }


def initial_from_answers(section: Section, answers: dict[str, Any]) -> dict[str, Any]:
    """Saved answers as form values; numbers as Decimal so they are shown as "1.234,50"."""
    return {
        f.name: Decimal(answers[f.name]) if f.kind in ("number", "money") else answers[f.name]
        for f in section.fields
        if f.kind != "file" and answers.get(f.name) is not None
    }


class CorrectionReplyForm(forms.Form):
    """What the resident tells the reviewer along with the corrections."""

    message = forms.CharField(
        label=gettext_lazy("Message for the reviewer (optional)"),
        help_text=gettext_lazy("For example, what you changed or why a document is missing."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
