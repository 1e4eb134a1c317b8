from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import audit
from core.offices import directory
from core.views import refusal_shown

from . import personal_data, phone, services
from .forms import PhoneCodeForm, ProfileForm


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, user=user)
        if form.is_valid():
            services.update_profile(user=user, data=form.profile_data(), actor=user)
            messages.success(request, _("Your details were saved."))
            next_url = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                return redirect(next_url)
            return redirect("accounts:profile")
    else:
        form = ProfileForm(
            user=user,
            initial={
                "full_name": user.full_name,
                "document_type": user.document_type or user.DocumentType.DNI,
                "document_number": user.document_number,
                "phone": user.phone,
                "address": user.address,
                "city": user.city,
                "postal_code": user.postal_code,
            },
        )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "phone_verified": phone.is_verified(user),
            "phone_pending": phone.pending(user) if user.is_resident else None,
            "phone_not_sent": phone.last_failure(user) if user.is_resident else None,
            "phone_form": PhoneCodeForm(),
        },
    )


@login_required
@require_POST
def phone_code(request):
    with refusal_shown(request) as attempt:
        phone.request_code(user=request.user)
    if attempt.ok:
        messages.success(
            request,
            _("We sent a code by WhatsApp to your phone. Enter it below; it is valid 10 minutes."),
        )
    return redirect(reverse("accounts:profile") + "#telefono")


@login_required
@require_POST
def phone_confirm(request):
    form = PhoneCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the 6-digit code we sent you."))
        return redirect(reverse("accounts:profile") + "#telefono")
    with refusal_shown(request) as attempt:
        phone.confirm(user=request.user, code=form.cleaned_data["code"])
    if attempt.ok:
        messages.success(request, _("Your phone number is confirmed."))
    return redirect(reverse("accounts:profile") + "#telefono")


@login_required
def my_data(request):
    """Everything the portal keeps about the person, as a ZIP (Ley 25.326, art. 14)."""
    if request.method != "POST":
        return render(
            request,
            "accounts/my_data.html",
            {"profile_url": reverse("accounts:profile"), "centre": directory().contact_centre},
        )
    audit.record(actor=request.user, action="account.data_exported", obj=request.user)
    response = HttpResponse(personal_data.export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="mis-datos.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


def privacy(request):
    """The privacy notice (Ley 25.326), linked at sign-up and in the footer."""
    return render(request, "accounts/privacy.html", {"centre": directory().contact_centre})
