from django.contrib import admin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "is_active", "requests_per_hour", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_email")
    readonly_fields = ("key", "created_at")
    fields = ("name", "contact_email", "is_active", "requests_per_hour", "key", "created_at")

    def has_delete_permission(self, request, obj=None):
        # Claims filed with a key point to it; revoke by unticking "active".
        return False
