"""One word per meaning across the portal's translation catalogs.

Django merges the root catalog (`locale/`) and every app's own `<app>/locale` into one
dictionary per language; for a (context, msgid) found in several, the root catalog wins, then
the first app in INSTALLED_APPS. Two catalogs that translate the same (context, msgid)
differently therefore show one app's word on the other's pages («Pagada el» for a payment's
date, «Anulado» for a cancelled appointment). A meaning of its own gets a context
(`pgettext`, `{% translate "…" context "…" %}`); the same meaning gets the same words.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("es", "en", "it")
# English msgids are the English text: an empty English msgstr shows the msgid.
SOURCE_LANGUAGE = "en"


def catalog_files() -> list[Path]:
    root = sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))
    apps = sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))
    return root + [path for path in apps if ".venv" not in path.parts]


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: context, msgid, plural, msgstr(s), flags. Obsolete entries
    (`#~`) and the header are left out."""
    entries: list[dict] = []
    current: dict = {}
    field = None

    def finish():
        if "msgid" in current and current["msgid"] != "":
            entries.append(current.copy())
        current.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):
            continue
        if not line.strip():
            finish()
            field = None
        elif line.startswith("#,"):
            if "msgid" in current:
                finish()
            current.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and "msgstr" in " ".join(current):
                finish()
            field = keyword
            current[field] = ast.literal_eval(value)
    finish()
    for entry in entries:
        entry.setdefault("flags", set())
        entry.setdefault("msgctxt", None)
        entry["msgstrs"] = tuple(
            entry[key] for key in sorted(k for k in entry if k.startswith("msgstr"))
        )
    return entries


def catalogs() -> dict[str, dict[str, list[dict]]]:
    """{language: {catalog name: entries}}, the catalog named by its app ("locale" for root)."""
    found: dict[str, dict[str, list[dict]]] = defaultdict(dict)
    for path in catalog_files():
        relative = path.relative_to(ROOT)
        language = relative.parts[-3]
        found[language][relative.parts[0]] = read_po(path)
    return found


def shown(entry: dict, language: str) -> tuple[str, ...]:
    if language == SOURCE_LANGUAGE and not any(entry["msgstrs"]):
        return (entry["msgid"], entry.get("msgid_plural", entry["msgid"]))[: len(entry["msgstrs"])]
    return entry["msgstrs"]


def test_the_catalogs_are_found():
    found = catalogs()
    assert set(found) == set(LANGUAGES)
    for language in LANGUAGES:
        assert {"locale", "payments", "contact", "appointments", "indicators"} <= set(
            found[language]
        )
        assert all(len(entries) > 10 for entries in found[language].values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_translation_per_context_and_msgid_across_catalogs(language):
    words: dict[tuple, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, entries in catalogs()[language].items():
        for entry in entries:
            key = (entry["msgctxt"], entry["msgid"])
            words[key][shown(entry, language)].append(name)
    conflicts = [
        f"{ctx!r} {msgid!r}: "
        + "; ".join(f"{'/'.join(names)} {'|'.join(text)!r}" for text, names in variants.items())
        for (ctx, msgid), variants in sorted(
            words.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])
        )
        if len(variants) > 1
    ]
    assert not conflicts, "\n".join(conflicts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_fuzzy_or_left_empty(language):
    problems = []
    for name, entries in catalogs()[language].items():
        for entry in entries:
            where = f"{name}/locale/{language}: {entry['msgctxt']!r} {entry['msgid']!r}"
            if "fuzzy" in entry["flags"]:
                problems.append(f"{where} is fuzzy")
            elif language != SOURCE_LANGUAGE and not all(entry["msgstrs"]):
                problems.append(f"{where} has no translation")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogs_words_are_the_ones_pages_show(language):
    """What Django returns at run time, Django's and allauth's own catalogs included, is
    the word each of our catalogs chose."""
    wrong = []
    with translation.override(language):
        for name, entries in catalogs()[language].items():
            for entry in entries:
                expected = shown(entry, language)
                context, msgid = entry["msgctxt"], entry["msgid"]
                if "msgid_plural" in entry:
                    got = tuple(
                        translation.npgettext(context, msgid, entry["msgid_plural"], n)
                        if context
                        else translation.ngettext(msgid, entry["msgid_plural"], n)
                        for n in (1, 5)
                    )
                    expected = (expected[0], expected[-1])
                else:
                    got = (
                        translation.pgettext(context, msgid)
                        if context
                        else translation.gettext(msgid),
                    )
                if got != expected:
                    wrong.append(f"{name}: {context!r} {msgid!r} shows {got!r}, not {expected!r}")
    assert not wrong, "\n".join(wrong)
