"""Staff pages to publish, update and close notices (under /gestion/: employees with 2FA)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import refusal_shown

from . import selectors, services
from .forms import CloseForm, NoticeForm, UpdateForm
from .views import PAGE_SIZE


def notice_list(request):
    page = Paginator(selectors.department_notices(request.user), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(request, "notices/staff/notice_list.html", {"page": page, "box": "notices"})


def notice_new(request):
    form = NoticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(request) as attempt:
            notice = services.publish(actor=request.user, **data)
        if attempt.ok:
            messages.success(request, _("The notice is published."))
            return redirect("notices_staff:detail", notice.pk)
    return render(request, "notices/staff/notice_form.html", {"form": form, "box": "notices"})


def _own_notice(request, pk: int):
    return get_object_or_404(selectors.department_notices(request.user), pk=pk)


def notice_detail(request, pk: int):
    notice = _own_notice(request, pk)
    return render(
        request,
        "notices/staff/notice_detail.html",
        {
            "notice": notice,
            "update_form": UpdateForm(),
            "close_form": CloseForm(),
            "box": "notices",
        },
    )


@require_POST
def notice_update(request, pk: int):
    notice = _own_notice(request, pk)
    form = UpdateForm(request.POST)
    if form.is_valid():
        with refusal_shown(request) as attempt:
            services.add_update(notice=notice, actor=request.user, **form.cleaned_data)
        if attempt.ok:
            messages.success(request, _("The update is published."))
    else:
        messages.error(request, _("Write the update."))
    return redirect("notices_staff:detail", notice.pk)


@require_POST
def notice_close(request, pk: int):
    notice = _own_notice(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        with refusal_shown(request) as attempt:
            services.close(notice=notice, actor=request.user, note=form.cleaned_data["note"])
        if attempt.ok:
            messages.success(request, _("The notice is closed."))
    return redirect("notices_staff:detail", notice.pk)
