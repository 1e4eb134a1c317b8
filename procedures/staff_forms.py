from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.offices import directory

from .models import Case
from .services.review import Decision


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Decision.APPROVE, _("Approve this step")),
            (Decision.CORRECTION, _("Ask the applicant for a correction")),
            (Decision.REJECT, _("Reject the application")),
        ],
    )
    message = forms.CharField(
        label=_("Message for the applicant"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to ask for a correction or to reject. The applicant reads it."),
    )
    correction_fields = forms.MultipleChoiceField(
        label=_("What must be corrected"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to let the applicant change any answer."),
    )

    def __init__(
        self, *args, correctable: list[tuple[str, str]], needs_pin: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["correction_fields"].choices = correctable
        if needs_pin:
            # Approving signs the resolution: the PIN unlocks the official's key, once.
            self.fields["pin"] = forms.CharField(
                label=_("Your signing PIN"),
                required=False,
                strip=False,
                max_length=64,
                widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                help_text=_(
                    "Approving signs the resolution with your personal key. Enter your "
                    "token's PIN: it is used for this signature only and never stored."
                ),
            )

    def clean(self):
        cleaned = super().clean()
        if (
            "pin" in self.fields
            and cleaned.get("decision") == Decision.APPROVE
            and not cleaned.get("pin")
        ):
            self.add_error("pin", _("Enter your signing PIN to approve and sign the resolution."))
        if (
            cleaned.get("decision") in (Decision.CORRECTION, Decision.REJECT)
            and not cleaned.get("message", "").strip()
        ):
            self.add_error("message", _("Write a message for the applicant explaining why."))
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only municipal staff see notes."),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues


class AssistedFilingForm(forms.Form):
    applicant = forms.CharField(
        label=_("Resident's e-mail, DNI or CUIT"),
        max_length=254,
        help_text=_("The resident must already have an account."),
    )
    channel = forms.ChoiceField(
        label=_("Where is the resident?"),
        widget=forms.RadioSelect,
        choices=[
            (Case.Channel.COUNTER, _("At a counter")),
            (Case.Channel.PHONE, _("On the phone")),
        ],
    )
    office = forms.ChoiceField(
        label=_("Office"),
        required=False,
        help_text=_("Only at a counter: the office where the resident is."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("", _("Choose an option"))] + [
            (office.code, str(office.name))
            for office in directory().offices
            if office.assisted_filing
        ]

    def clean(self):
        cleaned = super().clean()
        at_counter = cleaned.get("channel") == Case.Channel.COUNTER
        if at_counter and not cleaned.get("office"):
            self.add_error("office", _("Choose the office where the resident is."))
        elif not at_counter:
            cleaned["office"] = ""
        return cleaned

    def clean_applicant(self):
        text = self.cleaned_data["applicant"].strip()
        digits = "".join(c for c in text if c.isdigit())
        users = User.objects.filter(role=User.Role.RESIDENT, is_active=True)
        if "@" in text:
            match = users.filter(email__iexact=text)
        elif digits:
            # A DNI also finds the CUIT/CUIL that contains it.
            match = users.filter(
                Q(document_number=digits) | Q(document_number__regex=rf"^\d\d{int(digits):08d}\d$")
            )
        else:
            match = users.none()
        resident = match.first()
        if resident is None:
            raise forms.ValidationError(_("No resident account with that e-mail or document."))
        return resident
