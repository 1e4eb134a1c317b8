"""The municipality's offices and contact channels, read from one reviewed data file.

``core/data/offices.yaml`` is the single source for addresses, phones and opening
hours: the help page shows it, the appointments app adds desks and services to
the offices it names (by ``code``), and the phone menu reads hours out. Problems
are reported all at once as ``file: key: reason``, like the procedure catalog.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .calendar import OpeningHours, OpeningHoursError

OFFICES_FILE = Path(__file__).resolve().parent / "data" / "offices.yaml"
LANGUAGES = ("es", "en", "it")

_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,24}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OfficesFileError(ValueError):
    """The offices file has problems; ``problems`` lists them as ``key: reason``."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path.name}: {problem}" for problem in problems))


@dataclass(frozen=True)
class LocalizedText:
    texts: Mapping[str, str]

    def __str__(self) -> str:
        return self.in_language(get_language())

    def in_language(self, language: str | None) -> str:
        return self.texts.get((language or "es")[:2]) or self.texts["es"]

    def is_translated(self, language: str | None) -> bool:
        return (language or "es")[:2] in self.texts


@dataclass(frozen=True)
class ContactCentre:
    name: LocalizedText
    phone: str
    phone_from_mobiles: str
    whatsapp: str
    email: str
    hours: OpeningHours
    hours_spec: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Office:
    code: str
    name: LocalizedText
    address: str
    neighbourhood: str
    postal_code: str
    phone: str
    email: str
    hours: OpeningHours
    hours_spec: Mapping[str, tuple[str, ...]]
    latitude: float | None
    longitude: float | None
    assisted_filing: bool
    accessibility: LocalizedText | None
    services: LocalizedText | None


@dataclass(frozen=True)
class Directory:
    contact_centre: ContactCentre
    offices: tuple[Office, ...]

    def office(self, code: str) -> Office | None:
        return next((office for office in self.offices if office.code == code), None)


class _Reader:
    """Collects every problem instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, key: str, reason: str) -> None:
        self.problems.append(f"{key}: {reason}")

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required=True) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.problem(f"{where}.{key}", "missing")
            return ""
        if not isinstance(value, str | int):
            self.problem(f"{where}.{key}", "must be text")
            return ""
        return str(value).strip()

    def localized(
        self, data: Mapping[str, Any], key: str, where: str, *, required=True
    ) -> LocalizedText | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", "missing")
            return None
        if isinstance(value, str):
            value = {"es": value}
        if not isinstance(value, Mapping) or not isinstance(value.get("es"), str):
            self.problem(f"{where}.{key}", "must be text, or es/en/it texts with es given")
            return None
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            self.problem(f"{where}.{key}", f"unknown language(s) {', '.join(unknown)}")
        return LocalizedText({lang: str(text).strip() for lang, text in value.items()})

    def hours(
        self, data: Mapping[str, Any], where: str, closures: list[date]
    ) -> tuple[OpeningHours, dict[str, tuple[str, ...]]]:
        spec = data.get("hours")
        if not isinstance(spec, Mapping) or not spec:
            self.problem(f"{where}.hours", "missing: give weekdays and intervals")
            return OpeningHours(), {}
        try:
            hours = OpeningHours.parse(spec, closures=closures)
        except OpeningHoursError as exc:
            self.problem(f"{where}.hours", str(exc))
            return OpeningHours(), {}
        return hours, {key: tuple(values) for key, values in spec.items()}

    def phone(self, data: Mapping[str, Any], key: str, where: str, *, required=True) -> str:
        value = self.text(data, key, where, required=required)
        if value and not _PHONE.match(value):
            self.problem(f"{where}.{key}", f"{value!r} is not a phone number")
        return value

    def email(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.text(data, key, where)
        if value and not _EMAIL.match(value):
            self.problem(f"{where}.{key}", f"{value!r} is not an e-mail address")
        return value


def _closures(reader: _Reader, data: Mapping[str, Any], where: str) -> list[date]:
    values = data.get("closures") or []
    if not isinstance(values, list):
        reader.problem(f"{where}.closures", "must be a list of dates (YYYY-MM-DD)")
        return []
    days = []
    for index, value in enumerate(values):
        if isinstance(value, date):
            days.append(value)
            continue
        try:
            days.append(date.fromisoformat(str(value)))
        except ValueError:
            reader.problem(f"{where}.closures[{index}]", f"{value!r} is not a date (YYYY-MM-DD)")
    return days


def _office(reader: _Reader, data: Any, where: str) -> Office | None:
    if not isinstance(data, Mapping):
        reader.problem(where, "must be a mapping")
        return None
    known = {
        "code", "name", "address", "neighbourhood", "postal_code", "phone", "email", "hours",
        "closures", "location", "assisted_filing", "accessibility", "services",
    }  # fmt: skip
    for key in sorted(set(data) - known):
        reader.problem(f"{where}.{key}", "unknown key")
    code = reader.text(data, "code", where)
    if code and not _CODE.match(code):
        reader.problem(f"{where}.code", f"{code!r} must be lowercase words joined by hyphens")
    location = data.get("location") or {}
    latitude = longitude = None
    if location:
        try:
            latitude, longitude = float(location["lat"]), float(location["lon"])
        except (KeyError, TypeError, ValueError):
            reader.problem(f"{where}.location", "must be {lat: number, lon: number}")
        else:
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                reader.problem(f"{where}.location", "outside the globe")
    hours, spec = reader.hours(data, where, _closures(reader, data, where))
    return Office(
        code=code,
        name=reader.localized(data, "name", where) or LocalizedText({"es": code}),
        address=reader.text(data, "address", where),
        neighbourhood=reader.text(data, "neighbourhood", where, required=False),
        postal_code=reader.text(data, "postal_code", where, required=False),
        phone=reader.phone(data, "phone", where),
        email=reader.email(data, "email", where),
        hours=hours,
        hours_spec=spec,
        latitude=latitude,
        longitude=longitude,
        assisted_filing=bool(data.get("assisted_filing", False)),
        accessibility=reader.localized(data, "accessibility", where, required=False),
        services=reader.localized(data, "services", where, required=False),
    )


def read_directory(path: Path = OFFICES_FILE) -> Directory:
    """Read and validate the file; raises OfficesFileError listing every problem."""
    reader = _Reader()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OfficesFileError(path, [f"cannot be read: {exc}"]) from exc
    if not isinstance(data, Mapping):
        raise OfficesFileError(path, ["must be a mapping with contact_centre and offices"])
    for key in sorted(set(data) - {"contact_centre", "offices"}):
        reader.problem(key, "unknown key")
    centre_data = data.get("contact_centre")
    if not isinstance(centre_data, Mapping):
        reader.problem("contact_centre", "missing")
        centre_data = {}
    hours, spec = reader.hours(centre_data, "contact_centre", [])
    centre = ContactCentre(
        name=reader.localized(centre_data, "name", "contact_centre") or LocalizedText({"es": ""}),
        phone=reader.phone(centre_data, "phone", "contact_centre"),
        phone_from_mobiles=reader.phone(
            centre_data, "phone_from_mobiles", "contact_centre", required=False
        ),
        whatsapp=reader.phone(centre_data, "whatsapp", "contact_centre", required=False),
        email=reader.email(centre_data, "email", "contact_centre"),
        hours=hours,
        hours_spec=spec,
    )
    offices_data = data.get("offices")
    if not isinstance(offices_data, list) or not offices_data:
        reader.problem("offices", "missing: list at least one office")
        offices_data = []
    offices = []
    seen: set[str] = set()
    for index, item in enumerate(offices_data):
        office = _office(reader, item, f"offices[{index}]")
        if office is None:
            continue
        if office.code in seen:
            reader.problem(f"offices[{index}].code", f"{office.code!r} is used twice")
        seen.add(office.code)
        offices.append(office)
    if reader.problems:
        raise OfficesFileError(path, reader.problems)
    return Directory(contact_centre=centre, offices=tuple(offices))


@cache
def directory() -> Directory:
    """The municipality's directory, read once per process (the file changes with a deploy)."""
    return read_directory()


DAY_NAMES = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}


def hours_lines(spec: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Opening hours as a person reads them: ["Monday to Friday: 08:00 to 14:00", ...]."""
    lines = []
    for days, intervals in spec.items():
        first, _dash, last = days.partition("-")
        when = (
            _("%(first)s to %(last)s") % {"first": DAY_NAMES[first], "last": DAY_NAMES[last]}
            if last
            else str(DAY_NAMES[first])
        )
        times = ", ".join(
            _("%(opens)s to %(closes)s") % dict(zip(("opens", "closes"), pair, strict=True))
            for pair in (interval.split("-") for interval in intervals)
        )
        lines.append(f"{capfirst(when)}: {times}")
    return lines
