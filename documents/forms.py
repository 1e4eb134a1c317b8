from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.files import check_upload

from .models import normalize_code

MAX_UPLOAD_MB = 10


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=30,
        help_text=_("It is printed on the document, next to the QR code: 12 letters and digits."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise ValidationError(
                _(
                    "That is not a verification code: it has 12 letters and digits, like ABCD-EFGH-JKMN."
                )
            )
        return code


class FileForm(forms.Form):
    file = forms.FileField(
        label=_("The PDF file"),
        help_text=_("The file is checked and then discarded: it is not kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded, accept=("application/pdf",), max_size_mb=MAX_UPLOAD_MB)
        return uploaded


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anyone who verifies the document reads it."),
    )
