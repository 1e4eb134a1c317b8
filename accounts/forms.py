from django import forms
from django.utils.translation import gettext_lazy as _

from core.identifiers import InvalidIdentifier, normalize_cuit, normalize_dni

from .models import User
from .services import ProfileData


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    document_type = forms.ChoiceField(
        label=_("Document type"), choices=User.DocumentType.choices, widget=forms.RadioSelect
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=13,
        help_text=_("DNI: 7 or 8 digits. CUIT/CUIL: 11 digits; dashes are optional."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    address = forms.CharField(
        label=_("Street and number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("document_type"), cleaned.get("document_number")
        if not kind or not number:
            return cleaned
        try:
            number = (
                normalize_cuit(number) if kind == User.DocumentType.CUIT else normalize_dni(number)
            )
        except InvalidIdentifier as exc:
            self.add_error("document_number", str(exc))
            return cleaned
        taken = (
            User.objects.filter(document_type=kind, document_number=number)
            .exclude(pk=self.user.pk)
            .exists()
        )
        if taken:
            self.add_error(
                "document_number",
                _(
                    "Another account already uses this document. If it is yours, contact the municipality."
                ),
            )
        cleaned["document_number"] = number
        return cleaned

    def profile_data(self) -> ProfileData:
        return ProfileData(
            **{name: self.cleaned_data[name] for name in ProfileData.__dataclass_fields__}
        )


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code received by WhatsApp"),
        regex=r"^\s*\d{6}\s*$",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
