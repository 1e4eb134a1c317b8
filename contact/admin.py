from django.contrib import admin

from .models import (
    CannedReply,
    Contact,
    Conversation,
    DailyContactFigures,
    Membership,
    SlaPolicy,
    Team,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class SlaPolicyInline(admin.TabularInline):
    model = SlaPolicy
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "department", "menu_option", "auto_assign"]
    search_fields = ["name", "code", "keywords"]
    inlines = [MembershipInline, SlaPolicyInline]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "whatsapp_template"]
    search_fields = ["title", "body"]
    list_filter = ["team"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "whatsapp_id", "email", "user"]
    search_fields = ["name", "whatsapp_id", "email", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "channel", "contact", "team", "assignee", "status", "created_at"]
    list_filter = ["channel", "status", "team"]
    search_fields = ["subject", "contact__name", "contact__email", "contact__whatsapp_id"]
    list_select_related = ["contact", "team", "assignee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DailyContactFigures)
class DailyContactFiguresAdmin(admin.ModelAdmin):
    list_display = [
        "day",
        "team",
        "channel",
        "conversations",
        "resolved",
        "answered",
        "within_sla",
        "csat_responses",
        "csat_satisfied",
    ]
    list_filter = ["channel", "team"]
    date_hierarchy = "day"

    def has_change_permission(self, request, obj=None):
        return False
