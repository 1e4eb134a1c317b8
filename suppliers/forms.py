"""Forms of the supplier portal and of the staff pages for suppliers and orders."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import check_upload
from core.forms import ArgentineDecimalField
from core.identifiers import InvalidIdentifier, normalize_cbu, normalize_cuit

from .models import Invoice, PurchaseOrder, PurchaseOrderLine, Supplier
from .services.intake import IncomingFile

PDF = ("application/pdf",)
XML = ("text/xml", "application/xml")
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_MB = 10


def incoming(uploaded, accept: tuple[str, ...]) -> IncomingFile:
    content_type = check_upload(uploaded, accept=accept, max_size_mb=MAX_MB)
    uploaded.seek(0)
    return IncomingFile(uploaded.name, uploaded.read(), content_type)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# --- supplier portal ------------------------------------------------------------------


class RegistrationForm(forms.Form):
    cuit = forms.CharField(
        label=_("CUIT"), max_length=13, help_text=_("For example 30-71234567-1.")
    )
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    tax_condition = forms.ChoiceField(
        label=_("Tax condition"), choices=Supplier.TaxCondition.choices
    )
    email = forms.EmailField(label=_("E-mail for payment notices"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    foreign_tax_ids = forms.CharField(
        label=_("Other tax ids (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Foreign VAT ids your invoices carry, one per line (for example DE123456789)."),
    )

    def clean_cuit(self):
        try:
            return normalize_cuit(self.cleaned_data["cuit"])
        except InvalidIdentifier as exc:
            raise ValidationError(str(exc)) from None

    def tax_ids(self) -> tuple[str, ...]:
        return tuple(
            value.strip()
            for value in self.cleaned_data["foreign_tax_ids"].splitlines()
            if value.strip()
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person to invite"))


class BankAccountForm(forms.Form):
    cbu = forms.CharField(label=_("CBU"), max_length=26, help_text=_("22 digits."))
    holder_name = forms.CharField(label=_("Account holder"), max_length=200)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    document = forms.FileField(
        label=_("Supporting document"),
        help_text=_("The bank's certificate of the account (CBU) in PDF, JPG or PNG, up to 10 MB."),
    )

    def clean_cbu(self):
        try:
            return normalize_cbu(self.cleaned_data["cbu"])
        except InvalidIdentifier as exc:
            raise ValidationError(str(exc)) from None

    def clean_document(self):
        return incoming(self.cleaned_data["document"], DOCUMENT_TYPES)


class StructuredInvoiceForm(forms.Form):
    pdf = forms.FileField(
        label=_("Invoice PDF"),
        help_text=_("A Factur-X / ZUGFeRD PDF carries the structured invoice inside; up to 10 MB."),
    )
    xml = forms.FileField(
        label=_("Structured invoice (XML, optional)"),
        required=False,
        help_text=_("UBL 2.1 or CII XML, when the PDF does not carry it."),
    )
    purchase_order = forms.ModelChoiceField(
        label=_("Purchase order"),
        queryset=PurchaseOrder.objects.none(),
        required=False,
        empty_label=_("Found from the invoice"),
        help_text=_("Leave it to the invoice's order reference, or choose the order it bills."),
    )

    def __init__(self, *args, supplier: Supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purchase_order"].queryset = PurchaseOrder.objects.filter(
            supplier=supplier, status=PurchaseOrder.Status.OPEN
        )

    def clean_pdf(self):
        return incoming(self.cleaned_data["pdf"], PDF)

    def clean_xml(self):
        uploaded = self.cleaned_data.get("xml")
        return incoming(uploaded, XML) if uploaded else None


class OrderInvoiceForm(forms.Form):
    """An invoice for one order: an Argentine electronic invoice (its QR) or typed by hand,
    with the quantity billed on each order line."""

    METHOD_QR = "qr"
    METHOD_MANUAL = "manual"

    method = forms.ChoiceField(
        label=_("How do you submit it?"),
        choices=[
            (METHOD_QR, _("Argentine electronic invoice: its PDF with the AFIP QR code")),
            (METHOD_MANUAL, _("Type the invoice's header and lines")),
        ],
        widget=forms.RadioSelect,
        initial=METHOD_QR,
    )
    pdf = forms.FileField(label=_("Invoice PDF"), help_text=_("Up to 10 MB."))
    qr_url = forms.CharField(
        label=_("QR code link (optional)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Only if the QR code on the PDF cannot be read: the address it opens, "
            "https://www.afip.gob.ar/fe/qr/?p=…"
        ),
    )
    kind = forms.ChoiceField(label=_("Document"), choices=Invoice.Kind.choices, required=False)
    number = forms.CharField(label=_("Invoice number"), max_length=60, required=False)
    issue_date = forms.DateField(label=_("Issue date"), required=False, widget=DateInput())
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    net_total = ArgentineDecimalField(
        label=_("Net total"), required=False, decimal_places=2, max_digits=16
    )
    tax_total = ArgentineDecimalField(
        label=_("VAT"), required=False, decimal_places=2, max_digits=16
    )
    total = ArgentineDecimalField(label=_("Total"), required=False, decimal_places=2, max_digits=16)

    def __init__(self, *args, order: PurchaseOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = list(order.lines.order_by("line_number"))
        for line in self.order_lines:
            self.fields[f"qty_{line.pk}"] = ArgentineDecimalField(
                label=_("Quantity billed, line %(line)s") % {"line": line.line_number},
                required=False,
                min_value=Decimal(0),
                max_digits=14,
                decimal_places=4,
            )
            self.fields[f"price_{line.pk}"] = ArgentineDecimalField(
                label=_("Unit price, line %(line)s") % {"line": line.line_number},
                required=False,
                min_value=Decimal(0),
                max_digits=18,
                decimal_places=4,
                help_text=_("Only when typing the invoice."),
            )

    def line_rows(self):
        return [
            (line, self[f"qty_{line.pk}"], self[f"price_{line.pk}"]) for line in self.order_lines
        ]

    def clean_pdf(self):
        return incoming(self.cleaned_data["pdf"], PDF)

    def clean(self):
        data = super().clean()
        # An electronic invoice's QR is read from the PDF when no link is pasted.
        if data.get("method") != self.METHOD_QR:
            for name in ("kind", "number", "issue_date", "net_total", "tax_total", "total"):
                # A value that could not be read already says so: one message per field.
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("Required when typing the invoice."))
        if not any(data.get(f"qty_{line.pk}") for line in self.order_lines):
            raise ValidationError(_("Enter the quantity billed on at least one line."))
        return data

    def quantities(self) -> list[tuple[PurchaseOrderLine, Decimal, Decimal | None]]:
        manual = self.cleaned_data["method"] == self.METHOD_MANUAL
        return [
            (
                line,
                self.cleaned_data.get(f"qty_{line.pk}") or Decimal(0),
                (self.cleaned_data.get(f"price_{line.pk}") or line.unit_price) if manual else None,
            )
            for line in self.order_lines
        ]


class ReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


# --- staff ----------------------------------------------------------------------------


class OrderForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(status=Supplier.Status.ACTIVE)
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="ARS")
    issue_date = forms.DateField(
        label=_("Issue date"), widget=DateInput(), initial=timezone.localdate
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean_currency(self):
        value = self.cleaned_data["currency"].upper()
        if len(value) != 3 or not value.isalpha():
            raise ValidationError(_("A three-letter code such as ARS."))
        return value


class OrderLineForm(forms.Form):
    item_code = forms.CharField(label=_("Item code"), max_length=60, required=False)
    description = forms.CharField(label=_("Description"), max_length=300)
    # Initial values for every field a browser always sends, so a blank extra line is unchanged.
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=PurchaseOrderLine.Kind.choices,
        initial=PurchaseOrderLine.Kind.GOODS,
    )
    quantity = ArgentineDecimalField(
        label=_("Quantity"), min_value=Decimal("0.0001"), max_digits=14, decimal_places=4
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, initial="C62")
    unit_price = ArgentineDecimalField(
        label=_("Unit price (net)"), min_value=Decimal(0), max_digits=18, decimal_places=4
    )
    tax_rate = ArgentineDecimalField(
        label=_("VAT rate (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        initial=Decimal(21),
        max_digits=5,
        decimal_places=2,
    )


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=3, min_num=1, validate_min=True)


class CsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, separated by commas or semicolons; up to 2 MB.")
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > 2 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 2 MB."))
        return uploaded.read()


class ReceptionForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received on"), widget=DateInput(), initial=timezone.localdate
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = list(lines)
        for line in self.order_lines:
            self.fields[f"rec_{line.pk}"] = ArgentineDecimalField(
                label=_("Received now, line %(line)s") % {"line": line.line_number},
                required=False,
                max_digits=14,
                decimal_places=4,
            )

    def line_rows(self):
        return [(line, self[f"rec_{line.pk}"]) for line in self.order_lines]

    def quantities(self) -> dict[int, Decimal]:
        return {
            line.pk: self.cleaned_data[f"rec_{line.pk}"]
            for line in self.order_lines
            if self.cleaned_data.get(f"rec_{line.pk}")
        }


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=())
    message = forms.CharField(
        label=_("Message or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Required to release an invoice on hold (the reason is audited) or to return it."
        ),
    )
    purchase_order = forms.ModelChoiceField(
        label=_("Match against the order"),
        queryset=PurchaseOrder.objects.none(),
        required=False,
        empty_label=_("The current order"),
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("rematch", _("Check again against the order (after fixing the cause)"))]
        if invoice.status == Invoice.Status.MATCHED:
            choices.insert(0, ("approve", _("Approve for payment")))
        else:
            choices.append(("release", _("Release for payment despite the holds")))
        choices.append(("return", _("Return to the supplier")))
        self.fields["action"].choices = choices
        self.fields["purchase_order"].queryset = PurchaseOrder.objects.filter(
            supplier_id=invoice.supplier_id
        )


class BankDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve the new account")), ("0", _("Reject the request"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note for the supplier"), required=False, max_length=500)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
