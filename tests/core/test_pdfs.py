"""PDFs that run something when opened are told apart from plain ones."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from core.pdfs import active_content


def pdf_with_open_action(action: dict[str, str] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if action:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject(key): NameObject(value)
                if value.startswith("/")
                else TextStringObject(value)
                for key, value in action.items()
            }
        )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


JAVASCRIPT = {"/S": "/JavaScript", "/JS": "app.alert('hola')"}


def test_a_plain_pdf_has_no_active_content():
    assert active_content(pdf_with_open_action()) == []


def test_javascript_and_launch_actions_are_found():
    assert active_content(pdf_with_open_action(JAVASCRIPT)) == ["/JS", "/JavaScript"]
    launch = {"/S": "/Launch", "/F": "calc.exe"}
    assert active_content(pdf_with_open_action(launch)) == ["/Launch"]


def test_names_written_with_escapes_are_found():
    data = pdf_with_open_action(JAVASCRIPT).replace(b"/JavaScript", b"/J#61vaScript")
    assert "/JavaScript" in active_content(data)


def test_a_file_no_parser_reads_is_still_looked_at():
    broken = b"%PDF-1.7\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
    assert active_content(broken) == ["/JavaScript"]
    assert active_content(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n") == []
