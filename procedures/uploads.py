"""Checking uploaded files by their content, never by their name."""

from __future__ import annotations

import hashlib

import magic
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.pdfs import active_content

TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
_SNIFF_BYTES = 8192


def describe_types(accept: tuple[str, ...]) -> str:
    return ", ".join(TYPE_NAMES.get(t, t) for t in accept)


def sniff_content_type(uploaded: UploadedFile) -> str:
    uploaded.seek(0)
    head = uploaded.read(_SNIFF_BYTES)
    uploaded.seek(0)
    return magic.from_buffer(head, mime=True)


def check_upload(uploaded: UploadedFile, *, accept: tuple[str, ...], max_size_mb: int) -> str:
    """The sniffed content type, or ValidationError saying what is wrong with the file."""
    if uploaded.size > max_size_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; the limit is %(limit)d MB.")
            % {"name": uploaded.name, "size": uploaded.size / 1_048_576, "limit": max_size_mb},
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": uploaded.name}, code="empty")
    content_type = sniff_content_type(uploaded)
    if content_type not in accept:
        raise ValidationError(
            _("“%(name)s” is not a valid %(types)s file (its content is %(found)s).")
            % {"name": uploaded.name, "types": describe_types(accept), "found": content_type},
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
