"""The menu file is checked like the catalog: each error names file, key and reason."""

from __future__ import annotations

import copy
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from ivr.menu import MENU_FILE, MenuInvalid, parse_menu, walk
from ivr.services import known_names

GOOD = yaml.safe_load(MENU_FILE.read_text(encoding="utf-8"))


def errors_of(data) -> list[str]:
    with pytest.raises(MenuInvalid) as raised:
        parse_menu(data, "menu.yaml", known_names())
    return [str(error) for error in raised.value.errors]


def broken(change) -> dict:
    data = copy.deepcopy(GOOD)
    change(data)
    return data


def test_the_seed_menu_is_valid_and_walks_to_a_leaf_on_every_path():
    menu = parse_menu(GOOD, "menu.yaml", known_names())
    paths = walk(menu)
    assert len(paths) == 12
    assert all(menu.nodes[leaf].is_leaf for _keys, leaf in paths)
    assert {leaf for _keys, leaf in paths} == {n for n, node in menu.nodes.items() if node.is_leaf}


def test_a_dead_end_is_reported():
    data = broken(lambda d: d["nodes"]["avisos"]["options"][0].update(next="avisos_gas"))
    assert errors_of(data) == [
        "menu.yaml: nodes.avisos.options.0.next: dead end: no node 'avisos_gas'"
    ]
    data = broken(lambda d: d["nodes"]["hablar"].update(options=[]))
    assert "menu.yaml: nodes.hablar.options: dead end: a menu needs options" in errors_of(data)


def test_a_duplicate_key_is_reported():
    data = broken(lambda d: d["nodes"]["principal"]["options"][1].update(key="1"))
    assert errors_of(data) == ["menu.yaml: nodes.principal.options.1.key: duplicate key '1'"]


def test_a_missing_or_long_prompt_is_reported():
    data = broken(lambda d: d["nodes"]["oficinas"].pop("prompt"))
    assert errors_of(data) == ["menu.yaml: nodes.oficinas.prompt: missing prompt"]
    data = broken(lambda d: d["nodes"]["oficinas"].update(prompt="bla " * 120))
    assert errors_of(data) == [
        "menu.yaml: nodes.oficinas.prompt: 479 characters; at most 400 are read out"
    ]


def test_a_loop_and_an_unreachable_node_are_reported():
    data = broken(
        lambda d: d["nodes"]["avisos"]["options"].append(
            {"key": "0", "say": ["volver"], "next": "principal"}
        )
    )
    assert errors_of(data) == ["menu.yaml: nodes.avisos.options.4: loop: leads back to 'principal'"]
    data = broken(lambda d: d["nodes"]["principal"]["options"].pop())
    assert errors_of(data) == ["menu.yaml: nodes.pedir_llamada: unreachable from start"]


def test_unknown_queue_procedure_and_service_are_reported():
    def change(d):
        d["nodes"]["hablar_rentas"]["queue"] = "kiosco"
        d["nodes"]["requisitos_licencia"]["procedures"] = ["licencia-de-pesca"]
        d["nodes"]["avisos_agua"]["service"] = "gas"

    assert errors_of(broken(change)) == [
        "menu.yaml: nodes.avisos_agua.service: unknown service 'gas'",
        "menu.yaml: nodes.requisitos_licencia.procedures: no procedure 'licencia-de-pesca' in the catalog",
        "menu.yaml: nodes.hablar_rentas.queue: no department 'kiosco'",
    ]


def test_ivr_check_and_walk_commands(tmp_path):
    out = StringIO()
    call_command("ivr", "check", stdout=out)
    assert "16 nodes, 12 paths" in out.getvalue()
    out = StringIO()
    call_command("ivr", "walk", stdout=out)
    assert "5 1      hablar_rentas (transfer)" in out.getvalue()

    bad = tmp_path / "menu.yaml"
    bad.write_text(
        yaml.safe_dump(broken(lambda d: d["nodes"]["principal"]["options"][1].update(key="1")))
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("ivr", "check", "--file", str(bad), stderr=err)
    assert "menu.yaml: nodes.principal.options.1.key: duplicate key '1'" in err.getvalue()
