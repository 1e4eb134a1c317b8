from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.calendar import LOCAL_TIMEZONE
from core.offices import OfficesFileError, directory, read_directory


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TIMEZONE)


def test_the_repository_file_is_valid_and_describes_real_doors():
    municipality = directory()
    assert municipality.contact_centre.phone == "147"
    office = municipality.office("palacio-municipal")
    assert office.address == "Av. San Martín 1250"
    assert office.name.in_language("en") == "Town hall — front desk"
    assert office.assisted_filing
    # Tuesday 24 November 2026, 10:00: open; 15:00: closed; Monday 23rd is a holiday.
    assert office.hours.is_open_at(local(2026, 11, 24, 10, 0))
    assert not office.hours.is_open_at(local(2026, 11, 24, 15, 0))
    assert not office.hours.is_open_at(local(2026, 11, 23, 10, 0))


def test_check_command_accepts_the_repository_file(capsys):
    call_command("offices", "check")
    assert "is valid: 3 offices" in capsys.readouterr().out


BROKEN = """
contact_centre:
  name: Atención
  phone: "147"
  email: not-an-address
  hours: {mon-fri: ["08:00-20:00"]}
offices:
  - code: Centro
    name: Centro
    address: Calle 1
    phone: "12ab"
    email: centro@example.org
    hours: {mon-fri: ["14:00-08:00"]}
    closures: ["2026-13-01"]
    colour: blue
  - code: norte
    name: {es: Norte, fr: Nord}
    address: Calle 2
    phone: "4555-0100"
    email: norte@example.org
    hours: {lun: ["08:00-12:00"]}
  - code: norte
    name: Norte bis
    phone: "4555-0101"
    email: norte2@example.org
    hours: {mon: ["08:00-12:00", "11:00-13:00"]}
"""


def test_every_problem_is_reported_with_its_key(tmp_path: Path):
    path = tmp_path / "offices.yaml"
    path.write_text(BROKEN)
    with pytest.raises(OfficesFileError) as error:
        read_directory(path)
    assert error.value.problems == [
        "contact_centre.email: 'not-an-address' is not an e-mail address",
        "offices[0].colour: unknown key",
        "offices[0].code: 'Centro' must be lowercase words joined by hyphens",
        "offices[0].closures[0]: '2026-13-01' is not a date (YYYY-MM-DD)",
        "offices[0].hours: mon-fri: '14:00-08:00' ends before it starts",
        "offices[0].phone: '12ab' is not a phone number",
        "offices[1].hours: lun: not a weekday or a range such as mon-fri",
        "offices[1].name: unknown language(s) fr",
        "offices[2].hours: mon: intervals overlap",
        "offices[2].address: missing",
        "offices[2].code: 'norte' is used twice",
    ]


def test_check_command_fails_with_file_key_and_reason(tmp_path: Path, capsys):
    path = tmp_path / "offices.yaml"
    path.write_text(BROKEN)
    with pytest.raises(CommandError, match="11 problem"):
        call_command("offices", "check", "--file", str(path))
    assert "offices.yaml: offices[0].colour: unknown key" in capsys.readouterr().err


def test_local_closures_close_an_office(tmp_path: Path):
    path = tmp_path / "offices.yaml"
    path.write_text(
        """
contact_centre: {name: A, phone: "147", email: a@example.org, hours: {mon-fri: ["08:00-20:00"]}}
offices:
  - {code: a, name: A, address: X 1, phone: "4555-0100", email: a@example.org,
     hours: {mon-fri: ["08:00-14:00"]}, closures: ["2026-11-25"]}
"""
    )
    office = read_directory(path).office("a")
    assert office.hours.is_open_day(date(2026, 11, 24))
    assert not office.hours.is_open_day(date(2026, 11, 25))
