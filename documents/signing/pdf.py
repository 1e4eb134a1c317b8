"""HTML → tagged PDF/A-3a with WeasyPrint, fetching only what the caller allows.

WeasyPrint would fetch any URL a template names (http, file:///etc/...): the
fetcher here serves ``data:`` URIs and files under the allowed roots (plus the
bundled fonts) and refuses everything else. WeasyPrint is imported lazily:
importing it loads Pango, which processes that never render should not pay.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import qrcode
from qrcode.constants import ERROR_CORRECT_M

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONTS_CSS = FONTS_DIR / "fonts.css"
# Level "a": tagged (headings, lists, tables, figures with their alt text in a structure
# tree), with the language and Unicode text, so screen readers can read the documents.
PDF_VARIANT = "pdf/a-3a"


class ResourceRefused(ValueError):
    """The document referenced a resource outside what rendering may read."""


def _restricted_fetcher(allowed_roots: list[Path]) -> URLFetcher:
    from weasyprint.urls import URLFetcher

    roots = [root.resolve() for root in allowed_roots]

    class RestrictedUrlFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file" and parts.netloc in ("", "localhost"):
                # resolve() follows symlinks and "..", so the check sees the real file.
                path = Path(url2pathname(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in roots):
                    return super().fetch(path.as_uri(), headers)
            raise ResourceRefused(
                f"refused to fetch {url!r}: only data: URIs and files under "
                f"{', '.join(map(str, roots))} may be used"
            )

    # fail_on_errors: a document missing an image or a font is not one to sign.
    return RestrictedUrlFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


def _drop_info_producer(_document: Any, pdf: Any) -> None:
    # Signing, pyHanko sets XMP pdf:Producer to "pyHanko x.y" but appends itself
    # to an existing Info /Producer ("WeasyPrint ...; pyHanko x.y"). PDF/A wants
    # both equal, so Info starts without one.
    pdf.info.pop("Producer", None)


def render_pdf(
    html: str,
    *,
    base_url: str,
    allowed_roots: list[Path],
    title: str,
    lang: str,
    author: str,
) -> bytes:
    """Render ``html`` to tagged PDF/A-3a bytes.

    Relative URLs resolve against ``base_url`` (e.g. ``Path(...).as_uri() + "/"``).
    Raises ``ResourceRefused`` if the document references anything outside
    ``allowed_roots``, and ``OSError`` for allowed resources that fail to load.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _restricted_fetcher([*allowed_roots, FONTS_DIR])
    fonts = FontConfiguration()
    try:
        stylesheet = CSS(filename=str(FONTS_CSS), url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=fonts, stylesheets=[stylesheet], pdf_variant=PDF_VARIANT
        )
        document.metadata.title = title
        document.metadata.authors = [author]
        document.metadata.lang = lang
        return document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_drop_info_producer)
    except FatalURLFetchingError as exc:
        # A BaseException in WeasyPrint: turn it back into the fetcher's own error.
        cause = exc.__cause__
        if isinstance(cause, ResourceRefused):
            raise ResourceRefused(str(cause)) from None
        raise OSError(f"{exc}: {cause}") from cause


def qr_png_data_uri(text: str) -> str:
    """A QR code for ``text`` as a ``data:image/png`` URI, for ``<img src>``."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
