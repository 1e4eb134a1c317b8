"""Treasury imports rate bills (/gestion/tributos/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from core.views import refusal_shown

from . import services
from .forms import BillsFileForm
from .models import RateBill


@login_required
@permission_required("payments.manage_payments", raise_exception=True)
def bills(request):
    form, report = BillsFileForm(), None
    if request.method == "POST":
        form = BillsFileForm(request.POST, request.FILES)
        if form.is_valid():
            with refusal_shown(request):
                report = services.import_bills(
                    content=form.cleaned_data["file"], actor=request.user
                )
    page = Paginator(RateBill.objects.all(), 50).get_page(request.GET.get("pagina"))
    return render(request, "rates/bills.html", {"form": form, "report": report, "page": page})
