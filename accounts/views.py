from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import services
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
