from django.contrib import admin
from django.db import models

from core.forms import ArgentineDecimalField

from .models import (
    BankAccount,
    Invoice,
    InvoiceHold,
    InvoiceLine,
    MatchingTolerance,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierMember,
    SupplierTaxId,
)


class TaxIdInline(admin.TabularInline):
    model = SupplierTaxId
    extra = 0


class MemberInline(admin.TabularInline):
    model = SupplierMember
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "cuit", "tax_condition", "status")
    list_filter = ("status", "tax_condition")
    search_fields = ("legal_name", "cuit", "tax_ids__value")
    inlines = [TaxIdInline, MemberInline]


@admin.register(MatchingTolerance)
class MatchingToleranceAdmin(admin.ModelAdmin):
    """Where accounts payable set how far invoices may differ from their orders."""

    list_display = ("__str__", "price_percent", "quantity_percent", "total_percent")
    raw_id_fields = ("supplier",)
    formfield_overrides = {models.DecimalField: {"form_class": ArgentineDecimalField}}


# State changes go through the services (audited): these are read-only views.
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "supplier", "department", "currency", "status", "issue_date")
    list_filter = ("status", "department")
    search_fields = ("number", "supplier__legal_name")
    inlines = [OrderLineInline]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


class HoldInline(InvoiceLineInline):
    model = InvoiceHold


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "supplier", "purchase_order", "payable_total", "currency", "status")
    list_filter = ("status", "format", "kind")
    search_fields = ("number", "supplier__legal_name", "supplier__cuit")
    inlines = [InvoiceLineInline, HoldInline]


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ("supplier", "cbu", "status", "requested_at", "decided_by")
    list_filter = ("status",)
