from __future__ import annotations

import base64
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from documents.signing.pdf import FONTS_DIR, ResourceRefused, qr_png_data_uri

from .support import TITLE, SignedSet, render

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDF_NS = "{http://ns.adobe.com/pdf/1.3/}"
DC = "{http://purl.org/dc/elements/1.1/}"


def xmp_values(pdf: bytes) -> dict[str, str]:
    """Every XMP property as {"{namespace}name": value}, whether attribute or element."""
    reader = PdfFileReader(BytesIO(pdf))
    # Parsing our own freshly generated file, not untrusted input.
    root = ElementTree.fromstring(reader.root["/Metadata"].data)  # noqa: S314
    values: dict[str, str] = {}
    for element in root.iter():
        values.update(element.attrib)
        if element.tag.startswith(DC):  # dc:title/rdf:Alt/rdf:li → value of dc:title
            values[element.tag] = "".join(element.itertext()).strip()
    return values


def info(pdf: bytes) -> dict[str, str]:
    reader = PdfFileReader(BytesIO(pdf))
    return {key: str(value) for key, value in reader.trailer["/Info"].items()}


def test_render_is_tagged_pdfa3a_with_metadata(rendered: bytes) -> None:
    xmp = xmp_values(rendered)
    assert xmp[PDFAID + "part"] == "3"
    assert xmp[PDFAID + "conformance"] == "A"
    assert xmp[DC + "title"] == TITLE
    assert xmp[DC + "creator"] == "Municipalidad Demo"
    reader = PdfFileReader(BytesIO(rendered))
    assert reader.root["/Lang"] == "es-AR"
    assert info(rendered) == {"/Title": TITLE, "/Author": "Municipalidad Demo"}


def test_signing_keeps_pdfa_identification_and_consistent_producer(signed: SignedSet) -> None:
    for pdf in (signed.b_b, signed.b_t, signed.b_lta):
        xmp = xmp_values(pdf)
        assert (xmp[PDFAID + "part"], xmp[PDFAID + "conformance"]) == ("3", "A")
        # PDF/A: Info entries must equal their XMP counterparts.
        assert info(pdf)["/Producer"] == xmp[PDF_NS + "Producer"]
        assert PdfFileReader(BytesIO(pdf)).input_version < (2, 0)


def test_only_bundled_fonts_embedded(rendered: bytes, tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(rendered)
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert lines
    for line in lines:
        name, embedded = line.split()[0], line.split()[-5]
        assert name.split("+")[-1].startswith(("FreeSans", "FreeSerif")), line
        assert embedded == "yes", line
    assert (FONTS_DIR / "LICENSE").exists()


def test_qr_data_uri_is_png() -> None:
    uri = qr_png_data_uri("https://tramites.test/v/ABC")
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG")


@pytest.fixture
def http_probe() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording every request it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{probe}/logo.png">',
        '<link rel="stylesheet" href="{probe}/style.css">',
        '<style>@import url("{probe}/imported.css");</style>',
        '<img src="http://example.com/logo.png">',
        '<img src="https://example.com/logo.png">',
    ],
)
def test_remote_urls_are_refused_without_fetching(
    template_root: Path, http_probe: tuple[str, list[str]], markup: str
) -> None:
    probe, seen = http_probe
    with pytest.raises(ResourceRefused, match="refused to fetch"):
        render(template_root, markup.format(probe=probe))
    assert seen == []


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="/etc/passwd">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<img src="../../../../../../etc/passwd">',
        '<img src="outside.png">',  # symlink out of the allowed root
    ],
)
def test_files_outside_allowed_roots_are_refused(template_root: Path, markup: str) -> None:
    link = template_root / "outside.png"
    if not link.is_symlink():
        link.symlink_to("/etc/passwd")
    with pytest.raises(ResourceRefused, match="refused to fetch"):
        render(template_root, markup)


def test_missing_allowed_file_fails_rendering(template_root: Path) -> None:
    with pytest.raises(OSError, match="no-such-image.png"):
        render(template_root, '<img src="no-such-image.png">')
