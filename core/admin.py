from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import outbox
from .models import AuditEvent, OutboxItem


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "summary")
    date_hierarchy = "at"

    # The trail is append-only, even for superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxItem)
class OutboxItemAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind",
        "subject_type",
        "subject_id",
        "created_at",
        "dispatched_at",
        "done_at",
        "attempts",
        "last_error",
    )
    list_filter = ("kind", ("done_at", admin.EmptyFieldListFilter))
    search_fields = ("kind", "subject_id", "last_error")
    actions = ["dispatch_now"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Dispatch the selected work again"))
    def dispatch_now(self, request, queryset):
        sent = sum(
            outbox.dispatch(pk)
            for pk in queryset.filter(done_at__isnull=True).values_list("pk", flat=True)
        )
        messages.info(request, _("%(count)d dispatched.") % {"count": sent})
