"""Finding active content in an uploaded PDF: what runs or reaches out when it is opened.

Residents' and suppliers' PDFs are opened by employees, in whatever viewer they have;
JavaScript, launch actions and XFA forms are how a PDF attacks its reader. Two looks, since
a file no parser reads may still open in a tolerant viewer: the object tree from the
trailer (pypdf resolves compressed object streams and name escapes), and the raw bytes for
the long names nothing else contains by chance.
"""

from __future__ import annotations

import contextlib
import re
from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Keys or action types (/S) that make a PDF act when it is opened or clicked.
ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/JS", "/Launch", "/ImportData", "/RichMedia", "/XFA", "/SubmitForm"}
)
_RAW = re.compile(rb"/(?:JavaScript|Launch|ImportData|RichMedia)(?![A-Za-z0-9])")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_OBJECTS = 200_000


def active_content(data: bytes) -> list[str]:
    """The names of active content found (such as ``/JavaScript``), sorted; [] when none."""
    unescaped = _ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), data)
    found = {match.group().decode() for match in _RAW.finditer(unescaped)}
    # A file pypdf cannot read: the raw look above is what there is.
    with contextlib.suppress(
        PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError
    ):
        found |= _in_object_tree(data)
    return sorted(found)


def _in_object_tree(data: bytes) -> set[str]:
    reader = PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack and len(seen) < _MAX_OBJECTS:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too: their dictionary part
            for key, value in item.items():
                if key in ACTIVE_NAMES:
                    found.add(key)
                if key == "/S" and value in ACTIVE_NAMES:
                    found.add(str(value))
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found
