"""JSON and XML bodies of GeoReport v2: JSON top-level arrays, XML named roots and items."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

# XML element of each item of a list, by the list's name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _append(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _append(element, ITEM_NAMES[name], item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    else:
        element.text = _text(value)


def to_xml(root: str, body: Any) -> bytes:
    element = ElementTree.Element(root)
    if isinstance(body, list):
        for item in body:
            _append(element, ITEM_NAMES[root], item)
    else:
        for key, value in body.items():
            _append(element, key, value)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, body: Any, status: int = 200) -> HttpResponse:
    """``root`` names the XML root (services, service_definition, service_requests, errors)."""
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, body), content_type="text/xml; charset=utf-8", status=status
        )
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        status=status,
    )


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)
