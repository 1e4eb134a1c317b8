"""The public verification page (anyone, no login) and downloads of signed documents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.clientip import client_ip
from core.files import private_file_response
from core.ratelimit import over_limit

from . import selectors, verification
from .forms import CodeForm, FileForm

# Look-ups per client address and minute: enough for a person, too few to enumerate codes.
RATE_LIMIT = 30
RATE_WINDOW = 60


def _over_limit(request) -> bool:
    return over_limit(
        "documents.verify", client_ip(request), limit=RATE_LIMIT, window_seconds=RATE_WINDOW
    )


def _too_many(request):
    return render(request, "documents/too_many.html", status=429)


def _result(request, result: verification.Verification, *, checked_file: bool):
    status = 404 if result.verdict == verification.Verdict.UNKNOWN_CODE else 200
    return render(
        request,
        "documents/verify_result.html",
        {"result": result, "Verdict": verification.Verdict, "checked_file": checked_file},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    code_form, file_form = CodeForm(), FileForm()
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            return _too_many(request)
        if "code" in request.POST:
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                return redirect("documents:verify_code", code_form.cleaned_data["code"])
        else:
            file_form = FileForm(request.POST, request.FILES)
            if file_form.is_valid():
                uploaded = file_form.cleaned_data["file"]
                uploaded.seek(0)
                return _result(request, verification.check_file(uploaded.read()), checked_file=True)
        status = 400
    return render(
        request,
        "documents/verify.html",
        {"code_form": code_form, "file_form": file_form},
        status=status,
    )


def verify_code(request, code: str):
    if _over_limit(request):
        return _too_many(request)
    return _result(request, verification.check_code(code), checked_file=False)


def verify_download(request, code: str):
    """Whoever holds the code may fetch the original, to compare it with their copy."""
    if _over_limit(request):
        return _too_many(request)
    document = selectors.by_code(code)
    if document is None or not document.has_file:
        raise Http404
    return private_file_response(
        document.file, filename=f"{document.display_code}.pdf", content_type="application/pdf"
    )


@login_required
def download(request, code: str):
    """A signed document, to whom its subject's app allows (the case's applicant, its staff...)."""
    document = selectors.by_code(code)
    if document is None or not selectors.can_download(request.user, document):
        raise Http404
    return private_file_response(
        document.file,
        filename=selectors.download_name(document),
        content_type="application/pdf",
    )
