from django.contrib import admin

from .models import Call, CallbackRequest


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("call_sid", "from_number", "leaf", "outcome", "started_at", "duration_seconds")
    list_filter = ("outcome", "leaf")
    search_fields = ("call_sid", "from_number")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "reason", "created_at", "done_at")
    list_filter = ("done_at",)
