from django.contrib import admin

from .models import PaymentBatch, PaymentOrder


# Payments change only through payables.services (audited, two approvals): read-only here.
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ("reference", "currency", "execution_date", "status", "exporter")
    list_filter = ("status",)


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = ("reference", "supplier", "amount", "currency", "status", "paid_on")
    list_filter = ("status",)
