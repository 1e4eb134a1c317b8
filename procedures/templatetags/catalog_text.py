"""Catalog texts in the visitor's language, Spanish where a text has no translation."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


def _in(text, language: str) -> str | None:
    """``text`` is a ``LocalizedText`` or, from a stored version, its plain dict (a plain
    string for Spanish only)."""
    if isinstance(text, str):
        return text if language == "es" else None
    if isinstance(text, dict):
        return text.get(language)
    return getattr(text, language, None)


@register.filter
def localized(text) -> str:
    """A ``LocalizedText`` in the current language; a Spanish fallback is marked
    ``lang="es"`` so that screen readers pronounce it as Spanish."""
    if text is None:
        return ""
    language = (get_language() or "es")[:2]
    own = _in(text, language)
    if own:
        return own
    if language == "es":
        return ""
    return format_html('<span lang="es">{}</span>', _in(text, "es") or "")


@register.filter
def localized_plain(text) -> str:
    """The same, as plain text (for a page title or an attribute)."""
    if text is None:
        return ""
    return _in(text, (get_language() or "es")[:2]) or _in(text, "es") or ""


@register.filter
def partly_in_spanish(definition) -> bool:
    """Whether some of a procedure's texts are shown in Spanish in the current language."""
    return definition.translated_share((get_language() or "es")[:2]) < 1
