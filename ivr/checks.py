"""``manage.py check`` (and every start) fails on a broken phone menu file."""

from __future__ import annotations

from django.core import checks


def menu_file_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from .menu import MENU_FILE, MenuInvalid, load_menu
    from .services import known_names

    try:
        load_menu(MENU_FILE, known_names())
    except MenuInvalid as invalid:
        return [checks.Error(str(error), id="ivr.E001") for error in invalid.errors]
    return []
