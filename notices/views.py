"""Public notice pages, the Atom feed, and following notices by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .forms import FollowForm
from .models import Area, Notice

PAGE_SIZE = 20
FEED_SIZE = 50


def notice_list(request):
    text = request.GET.get("q", "").strip()[:100]
    service = request.GET.get("servicio", "")
    if service not in Notice.Service.values:
        service = ""
    page = Paginator(selectors.history(text=text, service=service), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "notices/notice_list.html",
        {
            "active": selectors.active_notices(),
            "page": page,
            "q": text,
            "service": service,
            "services": Notice.Service.choices,
        },
    )


def notice_detail(request, pk: int):
    notice = selectors.public_notice(pk)
    if notice is None:
        raise Http404
    return render(request, "notices/notice_detail.html", {"notice": notice})


@login_required
def follow(request):
    services_followed, areas_followed = selectors.follows_of(request.user)
    if request.method == "POST":
        form = FollowForm(request.POST)
        if form.is_valid():
            services.set_follows(
                user=request.user,
                services=form.cleaned_data["services"],
                areas=form.cleaned_data["areas"],
            )
            messages.success(request, _("Your choices were saved."))
            return redirect("notices:follow")
    else:
        form = FollowForm(
            initial={
                "services": sorted(services_followed),
                "areas": Area.objects.filter(pk__in=areas_followed),
            }
        )
    return render(request, "notices/follow.html", {"form": form})


class NoticeFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Service notices")
    subtitle = gettext_lazy("Disruptions of municipal services, with updates.")
    link = reverse_lazy("notices:list")

    def items(self):
        return selectors.history()[:FEED_SIZE]

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> str:
        parts = [item.description, item.what_to_do, *(u.text for u in item.updates.all())]
        return "\n\n".join(p for p in parts if p)

    def item_link(self, item: Notice) -> str:
        return reverse("notices:detail", args=[item.pk])

    def item_pubdate(self, item: Notice):
        return item.starts_at

    def item_updateddate(self, item: Notice):
        return item.updated_at

    def author_name(self) -> str:
        return settings.MUNICIPALITY_NAME
