"""The phone menu as data: read and checked from one reviewed YAML file, independent of
any telephony platform (``twiml`` renders it for Twilio).

A node is a ``menu`` (a prompt and options chosen by key or by spoken word, each leading
to another node) or a leaf that ends the self-service part of the call: ``notices``,
``case_status``, ``offices``, ``requirements``, ``callback`` or ``transfer``. The menu
must be a tree: every node reachable from ``start``, no option leading back (a caller
can always hang up and call again; a loop would make ``walk`` endless).

Errors name the file, the dotted key and the reason, like the catalog's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.calendar import OpeningHours, OpeningHoursError

MENU_FILE = Path(__file__).resolve().parent / "data" / "menu.yaml"
MENU_KIND = "menu"
LEAF_KINDS = ("notices", "case_status", "offices", "requirements", "callback", "transfer")
KEYS = frozenset("0123456789*#")
# Longest text read out in one go: long prompts lose callers.
MAX_PROMPT_CHARS = 400
NOTICE_SERVICES = ("water", "lighting", "waste", "roads", "counter", "procedure", "portal", "other")


@dataclass(frozen=True)
class MenuError:
    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key or '(file)'}: {self.reason}"


class MenuInvalid(Exception):
    def __init__(self, errors: list[MenuError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Option:
    key: str
    words: tuple[str, ...]
    next: str


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    prompt: str
    options: tuple[Option, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return self.kind != MENU_KIND

    def option_for(self, digits: str = "", speech: str = "") -> Option | None:
        digits = digits.strip()
        spoken = speech.strip().lower()
        for option in self.options:
            if digits and digits == option.key:
                return option
            if spoken and any(word in spoken for word in option.words):
                return option
        return None

    def hours(self) -> OpeningHours | None:
        spec = self.params.get("hours")
        return OpeningHours.parse(spec) if spec else None


@dataclass(frozen=True)
class Menu:
    start: str
    nodes: Mapping[str, Node]

    def node(self, name: str) -> Node | None:
        return self.nodes.get(name)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _check_params(
    node: Node, key: str, file: str, known: Mapping[str, set[str]]
) -> list[MenuError]:
    errors = []
    params = node.params
    if node.kind == "notices" and params.get("service") not in (None, *NOTICE_SERVICES):
        errors.append(MenuError(file, f"{key}.service", f"unknown service {params['service']!r}"))
    if node.kind == "requirements":
        codes = params.get("procedures")
        if not isinstance(codes, list) or not codes:
            errors.append(
                MenuError(file, f"{key}.procedures", "a list of procedure codes is required")
            )
        else:
            for code in codes:
                if known.get("procedures") is not None and code not in known["procedures"]:
                    errors.append(
                        MenuError(
                            file, f"{key}.procedures", f"no procedure {code!r} in the catalog"
                        )
                    )
    if node.kind == "transfer":
        queue = params.get("queue")
        if not isinstance(queue, str) or not queue:
            errors.append(MenuError(file, f"{key}.queue", "the team's queue is required"))
        elif known.get("departments") is not None and queue not in known["departments"]:
            errors.append(MenuError(file, f"{key}.queue", f"no department {queue!r}"))
        if not params.get("hours"):
            errors.append(MenuError(file, f"{key}.hours", "the team's opening hours are required"))
        else:
            try:
                node.hours()
            except (OpeningHoursError, AttributeError, TypeError) as exc:
                errors.append(MenuError(file, f"{key}.hours", str(exc)))
    return errors


def _structure(menu_start: str, nodes: Mapping[str, Node], file: str) -> list[MenuError]:
    """Every node reachable from start, and no option leading back up the path (a loop)."""
    errors: list[MenuError] = []
    reached: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        reached.add(name)
        for index, option in enumerate(nodes[name].options):
            if option.next in path or option.next == name:
                errors.append(
                    MenuError(
                        file,
                        f"nodes.{name}.options.{index}",
                        f"loop: leads back to {option.next!r}",
                    )
                )
            elif option.next in nodes:
                visit(option.next, (*path, name))

    if menu_start in nodes:
        visit(menu_start, ())
    for name in nodes:
        if name not in reached:
            errors.append(MenuError(file, f"nodes.{name}", "unreachable from start"))
    return errors


def parse_menu(data: Any, file: str, known: Mapping[str, set[str]] | None = None) -> Menu:
    known = known or {}
    errors: list[MenuError] = []
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        raise MenuInvalid([MenuError(file, "nodes", "a mapping of nodes is required")])
    start = _text(data.get("start"))
    nodes: dict[str, Node] = {}
    for name, raw in data["nodes"].items():
        key = f"nodes.{name}"
        if not isinstance(raw, dict):
            errors.append(MenuError(file, key, "a mapping is required"))
            continue
        kind = raw.get("kind")
        if kind not in (MENU_KIND, *LEAF_KINDS):
            errors.append(MenuError(file, f"{key}.kind", f"unknown kind {kind!r}"))
            continue
        prompt = _text(raw.get("prompt"))
        if not prompt:
            errors.append(MenuError(file, f"{key}.prompt", "missing prompt"))
        elif len(prompt) > MAX_PROMPT_CHARS:
            errors.append(
                MenuError(
                    file,
                    f"{key}.prompt",
                    f"{len(prompt)} characters; at most {MAX_PROMPT_CHARS} are read out",
                )
            )
        options: list[Option] = []
        if kind == MENU_KIND:
            seen_keys: set[str] = set()
            seen_words: set[str] = set()
            raw_options = raw.get("options")
            if not isinstance(raw_options, list) or not raw_options:
                errors.append(MenuError(file, f"{key}.options", "dead end: a menu needs options"))
                raw_options = []
            for index, raw_option in enumerate(raw_options):
                where = f"{key}.options.{index}"
                if not isinstance(raw_option, dict):
                    errors.append(MenuError(file, where, "a mapping is required"))
                    continue
                option_key = str(raw_option.get("key", ""))
                words = tuple(str(w).lower() for w in raw_option.get("say") or ())
                target = _text(raw_option.get("next"))
                if option_key not in KEYS:
                    errors.append(
                        MenuError(file, f"{where}.key", f"not a phone key: {option_key!r}")
                    )
                elif option_key in seen_keys:
                    errors.append(MenuError(file, f"{where}.key", f"duplicate key {option_key!r}"))
                seen_keys.add(option_key)
                for word in words:
                    if word in seen_words:
                        errors.append(MenuError(file, f"{where}.say", f"duplicate word {word!r}"))
                    seen_words.add(word)
                if target not in data["nodes"]:
                    errors.append(MenuError(file, f"{where}.next", f"dead end: no node {target!r}"))
                options.append(Option(key=option_key, words=words, next=target))
        elif raw.get("options"):
            errors.append(MenuError(file, f"{key}.options", f"a {kind} leaf has no options"))
        params = {k: v for k, v in raw.items() if k not in ("kind", "prompt", "options")}
        node = Node(name=name, kind=kind, prompt=prompt, options=tuple(options), params=params)
        errors += _check_params(node, key, file, known)
        nodes[name] = node
    if start not in data["nodes"]:
        errors.append(MenuError(file, "start", f"no node {start!r}"))
    if not errors:
        errors += _structure(start, nodes, file)
    if errors:
        raise MenuInvalid(errors)
    return Menu(start=start, nodes=nodes)


def load_menu(path: Path = MENU_FILE, known: Mapping[str, set[str]] | None = None) -> Menu:
    file = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MenuInvalid([MenuError(file, "", f"cannot read: {exc}")]) from None
    return parse_menu(data, file, known)


def walk(menu: Menu) -> list[tuple[tuple[str, ...], str]]:
    """Every path through the menu: the keys pressed, and the leaf reached."""
    paths: list[tuple[tuple[str, ...], str]] = []

    def visit(name: str, keys: tuple[str, ...]) -> None:
        node = menu.nodes[name]
        if node.is_leaf:
            paths.append((keys, name))
            return
        for option in node.options:
            visit(option.next, (*keys, option.key))

    visit(menu.start, ())
    return paths
