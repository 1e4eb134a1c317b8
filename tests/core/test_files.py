"""Downloads, upload checks and CSV reading shared by every app (core.files)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile

from core.files import CsvUnreadable, check_upload, private_file_response, read_csv, safe_filename
from tests.engine.conftest import PDF_BYTES, PNG_BYTES


class _Holder:
    """Just enough of a model instance for a FieldFile."""

    class _meta:  # noqa: N801 - shape of a model's options
        pass


def _stored(name: str, content: bytes) -> FieldFile:
    saved = default_storage.save(name, ContentFile(content))
    field = type("Field", (), {"storage": default_storage, "name": "file"})()
    return FieldFile(_Holder(), field, saved)


def test_a_download_is_a_private_attachment_never_sniffed_nor_cached():
    response = private_file_response(
        _stored("tests/files/a.pdf", PDF_BYTES),
        filename="Constancia de AFIP.pdf",
        content_type="application/pdf",
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="Constancia de AFIP.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_preview_is_inline_but_sandboxed():
    response = private_file_response(
        _stored("tests/files/b.pdf", PDF_BYTES),
        filename="factura.pdf",
        content_type="application/pdf",
        inline=True,
    )
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ('C:\\Users\\ana\\"DNI".pdf', "_DNI_.pdf"),
        ("línea\r\nSet-Cookie: x.pdf", "línea_Set-Cookie_ x.pdf"),
        ("...", "archivo"),
        ("", "archivo"),
    ],
)
def test_file_names_from_uploads_cannot_reach_headers_or_paths(given, safe):
    assert safe_filename(given) == safe


def test_an_accented_name_is_sent_the_way_browsers_read_it():
    response = private_file_response(
        _stored("tests/files/c.pdf", PDF_BYTES),
        filename="habilitación.pdf",
        content_type="application/pdf",
    )
    assert "filename*=utf-8''habilitaci%C3%B3n.pdf" in response["Content-Disposition"]


def test_uploads_are_checked_by_their_content_not_their_name():
    pdf = SimpleUploadedFile("dni.pdf", PDF_BYTES, content_type="application/pdf")
    assert check_upload(pdf, accept=("application/pdf",), max_size_mb=1) == "application/pdf"
    disguised = SimpleUploadedFile("dni.pdf", PNG_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        check_upload(disguised, accept=("application/pdf",), max_size_mb=1)
    assert caught.value.code == "wrong_type"
    assert (
        caught.value.messages[0]
        == "“dni.pdf” parece un archivo PNG, no un archivo PDF. Elegí un archivo PDF."
    )
    text = SimpleUploadedFile("dni.pdf", b"hola esto es texto\n" * 20)
    with pytest.raises(ValidationError) as caught:
        check_upload(text, accept=("application/pdf", "image/jpeg", "image/png"), max_size_mb=1)
    assert "parece un archivo de texto, no un archivo PDF, JPG o PNG" in caught.value.messages[0]


def test_too_large_and_empty_uploads_say_so():
    big = SimpleUploadedFile("plano.pdf", PDF_BYTES + b" " * 1_200_000)
    with pytest.raises(ValidationError) as caught:
        check_upload(big, accept=("application/pdf",), max_size_mb=1)
    assert caught.value.code == "too_large"
    assert caught.value.messages[0] == "«plano.pdf» pesa 1,1\xa0MB; el límite es de 1 MB."
    with pytest.raises(ValidationError) as caught:
        check_upload(
            SimpleUploadedFile("vacio.pdf", b""), accept=("application/pdf",), max_size_mb=1
        )
    assert caught.value.code == "empty"


def test_csv_as_spreadsheets_export_it():
    content = (
        "\ufeffFecha;Referencia;Importe\r\n"
        "2025-03-01;OP-000001;1.234,50\r\n"
        ";;\r\n"
        "2025-03-02;OP-000002\r\n"
        '2025-03-03;"OP-3; OP-4";10\r\n'
    ).encode()
    rows = list(read_csv(content, required=("fecha", "importe")))
    assert [(row.number, row.values, row.error) for row in rows] == [
        (2, {"fecha": "2025-03-01", "referencia": "OP-000001", "importe": "1.234,50"}, ""),
        (4, {"fecha": "2025-03-02", "referencia": "OP-000002", "importe": ""}, ""),
        (5, {"fecha": "2025-03-03", "referencia": "OP-3; OP-4", "importe": "10"}, ""),
    ]


def test_a_row_with_more_cells_than_columns_is_reported_not_a_crash():
    content = b"order,quantity\nOC-1,4\nOC-2,4,sobra,otra\nOC-3,1\n"
    rows = list(read_csv(content, required=("order",)))
    assert [(row.number, row.error) for row in rows] == [
        (2, ""),
        (3, "La fila tiene 2 valores más que las columnas del encabezado."),
        (4, ""),
    ]


@pytest.mark.parametrize(
    ("content", "row", "message"),
    [
        (b"\xff\xfe\x00o", 0, "El archivo no es texto UTF-8."),
        (b"", 1, "El archivo está vacío."),
        (b"order,description\nOC-1,X\n", 1, "Faltan columnas: quantity."),
    ],
)
def test_files_that_cannot_be_read_say_why(content, row, message):
    with pytest.raises(CsvUnreadable) as caught:
        list(read_csv(content, required=("order", "quantity")))
    assert (caught.value.row, str(caught.value)) == (row, message)
