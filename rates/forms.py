from django import forms
from django.utils.translation import gettext_lazy as _


class BillsFileForm(forms.Form):
    file = forms.FileField(
        label=_("Rate bills (CSV)"),
        help_text=_(
            "Columns tipo, cuenta, periodo, documento, titular, importe, vencimiento; UTF-8; "
            "up to 10 MB."
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return uploaded.read()
