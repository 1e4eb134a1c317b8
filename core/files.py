"""Files in and out: private downloads, upload checks by content, CSV files people upload.

Downloads: stored files are private (no public URL); a view checks who asks,
then answers with ``private_file_response``: an attachment with a safe name,
``nosniff`` and no caching. ``inline=True`` shows it in the browser instead,
sandboxed (the file came from outside).

Uploads: ``check_upload`` decides by content (libmagic), never by name or the
browser's word, refuses PDFs with active content (``core.pdfs``), and says what
is wrong in a sentence for the person.

CSV: ``read_csv`` reads what spreadsheets export (UTF-8 with or without BOM,
comma or semicolon), with case-insensitive column names and row numbers as
the person sees them in their spreadsheet (the header is row 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import magic
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .pdfs import active_content

# --- Downloads -------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_filename(name: str, *, default: str = "archivo") -> str:
    """A file name fit for Content-Disposition: no path, no control or reserved characters."""
    name = unicodedata.normalize("NFC", name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    return name[:150] or default


def private_file_response(
    file: FieldFile, *, filename: str, content_type: str, inline: bool = False
) -> FileResponse:
    """Stream a stored file to the one person a view allowed; never cached, never sniffed."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=not inline,
        filename=safe_filename(filename),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        # Shown in the browser, but the file came from outside: no scripts, no same origin.
        response["Content-Security-Policy"] = "sandbox"
    return response


# --- Uploads -------------------------------------------------------------------------------

TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
}
_SNIFF_BYTES = 8192


def describe_types(accept: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(TYPE_NAMES.get(t, t) for t in accept))


def _alternatives(accept: Iterable[str]) -> str:
    """ "PDF, JPG or PNG"."""
    names = list(dict.fromkeys(TYPE_NAMES.get(t, t) for t in accept))
    if len(names) == 1:
        return names[0]
    return _("%(some)s or %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


def _what_it_looks_like(content_type: str) -> str:
    """The kind of file found, as a person would name it."""
    kinds = {
        "text/plain": _("a text file"),
        "text/html": _("a web page"),
        "text/csv": _("a spreadsheet saved as text (CSV)"),
        "application/zip": _("a compressed folder (ZIP)"),
        "application/msword": _("a Word document"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _(
            "a Word document"
        ),
        "application/vnd.oasis.opendocument.text": _("a text document (ODT)"),
        "application/vnd.ms-excel": _("an Excel spreadsheet"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _(
            "an Excel spreadsheet"
        ),
        "application/x-empty": _("an empty file"),
        "application/octet-stream": _("a file of unknown kind"),
    }
    if content_type in kinds:
        return kinds[content_type]
    if content_type in TYPE_NAMES:
        return _("a %(type)s file") % {"type": TYPE_NAMES[content_type]}
    if content_type.startswith("image/"):
        return _("an image in another format (%(format)s)") % {
            "format": content_type.split("/", 1)[1].upper()
        }
    if content_type.startswith(("audio/", "video/")):
        return _("an audio or video file")
    return _("another kind of file (%(type)s)") % {"type": content_type}


def sniff_content_type(uploaded: UploadedFile) -> str:
    uploaded.seek(0)
    head = uploaded.read(_SNIFF_BYTES)
    uploaded.seek(0)
    return magic.from_buffer(head, mime=True)


def check_upload(uploaded: UploadedFile, *, accept: tuple[str, ...], max_size_mb: int) -> str:
    """The content type libmagic finds, or ``ValidationError`` saying what is wrong."""
    if uploaded.size > max_size_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)d MB.")
            % {"name": uploaded.name, "size": filesizeformat(uploaded.size), "limit": max_size_mb},
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": uploaded.name}, code="empty")
    content_type = sniff_content_type(uploaded)
    if content_type not in accept:
        raise ValidationError(
            _("“%(name)s” looks like %(found)s, not a %(types)s file. Choose a %(types)s file.")
            % {
                "name": uploaded.name,
                "types": _alternatives(accept),
                "found": _what_it_looks_like(content_type),
            },
            code="wrong_type",
        )
    if content_type == "application/pdf":
        uploaded.seek(0)
        found = active_content(uploaded.read())
        uploaded.seek(0)
        if found:
            raise ValidationError(
                _(
                    "“%(name)s” contains JavaScript or actions that run when it is opened "
                    "(%(found)s), which we do not accept. Print it to a new PDF (“Save as PDF”) "
                    "and upload that one."
                )
                % {"name": uploaded.name, "found": ", ".join(name[1:] for name in found)},
                code="active_content",
            )
    return content_type


def sha256_of(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


# --- CSV -----------------------------------------------------------------------------------


class CsvUnreadable(ValueError):
    """The file as a whole cannot be read (encoding, header); ``row`` 0 is the file itself."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class CsvRow:
    number: int
    """As the spreadsheet numbers it: the header is row 1."""
    values: dict[str, str] = field(default_factory=dict)
    """Column name (lower case, trimmed) -> trimmed value; "" for a missing cell."""
    error: str = ""
    """Why this row cannot be read (then ``values`` is empty)."""


def read_csv(content: bytes, *, required: Iterable[str]) -> Iterator[CsvRow]:
    """The rows of a CSV file whose header names at least the ``required`` columns.

    Raises ``CsvUnreadable`` (before the first row) for a file that is not
    UTF-8 text or lacks columns; a row with more cells than the header comes
    back with ``error`` set, so the caller reports it and goes on.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvUnreadable(0, _("The file is not UTF-8 text.")) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise CsvUnreadable(1, _("The file is empty.")) from None
    except csv.Error as exc:
        raise CsvUnreadable(
            1, _("The header cannot be read: %(error)s.") % {"error": exc}
        ) from None
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvUnreadable(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield CsvRow(number, error=_("The row cannot be read: %(error)s.") % {"error": exc})
            continue
        number += 1
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave blank lines at the end
        if len(cells) > len(header):
            yield CsvRow(
                number,
                error=_("The row has %(count)d more values than the header has columns.")
                % {"count": len(cells) - len(header)},
            )
            continue
        padded = cells + [""] * (len(header) - len(cells))
        yield CsvRow(
            number, {name: value.strip() for name, value in zip(header, padded, strict=True)}
        )
