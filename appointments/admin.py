from django.contrib import admin

from .models import Booking, DailyWaits, Desk, OfficeRules, Service, SlotBlock, Ticket


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "slot_minutes", "procedure_type_code", "active"]
    search_fields = ["name", "code"]


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ["name", "office_code", "active"]
    list_filter = ["office_code"]
    filter_horizontal = ["services"]


@admin.register(OfficeRules)
class OfficeRulesAdmin(admin.ModelAdmin):
    list_display = [
        "office_code",
        "min_notice_minutes",
        "horizon_days",
        "standard_with_appointment_minutes",
        "standard_without_appointment_minutes",
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changed only through the services (audited), never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["code", "starts_at", "office_code", "service", "status", "dni"]
    list_filter = ["status", "office_code"]
    search_fields = ["code", "dni", "full_name"]


@admin.register(SlotBlock)
class SlotBlockAdmin(ReadOnlyAdmin):
    list_display = ["office_code", "desk", "starts_at", "ends_at", "reason"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "day", "office_code", "service", "status", "checked_in_at"]
    list_filter = ["office_code", "status"]


@admin.register(DailyWaits)
class DailyWaitsAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "office_code",
        "service",
        "tickets",
        "median_wait_seconds",
        "p90_wait_seconds",
        "within_standard_percent",
    ]
