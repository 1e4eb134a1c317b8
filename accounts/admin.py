from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import Department, User


def _admin_index(request, extra_context=None):
    return redirect("admin:index")


# One login for everyone, with its second factor and its rate limits: /admin/login/ sends
# visitors to allauth's login (coming back to the admin afterwards) and never checks a
# password itself.
admin.site.login = secure_admin_login(_admin_index)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "role", "document_number", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff", "groups")
    search_fields = ("email", "full_name", "document_number")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "full_name",
                    "document_type",
                    "document_number",
                    "phone",
                    "address",
                    "city",
                    "postal_code",
                )
            },
        ),
        (
            _("Role and permissions"),
            {
                "fields": (
                    "role",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group")
    search_fields = ("code", "name")
