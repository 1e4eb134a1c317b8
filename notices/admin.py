from django.contrib import admin

from .models import Area, Notice


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    search_fields = ("name",)


# Notices change through the staff pages (audited, followers e-mailed): read-only here.
@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "service", "department", "starts_at", "ends_at", "closed_at")
    list_filter = ("service", "department")
    search_fields = ("title",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
