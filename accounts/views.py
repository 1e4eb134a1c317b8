from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core import audit
from core.offices import directory

from . import personal_data, services
from .forms import ProfileForm


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
    return render(request, "accounts/profile.html", {"form": form})


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
