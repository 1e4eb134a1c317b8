from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.files import check_upload

from .models import CannedReply, Conversation

ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
ATTACHMENT_MAX_MB = 10


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        required=False,
        queryset=CannedReply.objects.none(),
        empty_label=_("(none)"),
    )
    procedure = forms.ChoiceField(label=_("Add a procedure page"), required=False)
    template = forms.ChoiceField(label=_("WhatsApp template"), required=False)
    attachment = forms.FileField(
        label=_("Attach a file (PDF, JPG or PNG, up to 10 MB)"),
        required=False,
        help_text=_("On WhatsApp the answer's text goes as the file's caption."),
    )

    def __init__(self, *args, canned, procedures, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = canned
        self.fields["procedure"].choices = [("", _("(none)")), *procedures]
        self.fields["template"].choices = [("", _("(none)")), *templates]


class ClassifyForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=Conversation.Priority.choices
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(nobody: back to the queue)"),
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents


class CaseLinkForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=24)


class FileCaseForm(forms.Form):
    procedure = forms.ChoiceField(label=_("Procedure or claim"))

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = procedures


class ContactLinkForm(forms.Form):
    resident = forms.CharField(label=_("Resident's e-mail or DNI"), max_length=254)

    def clean_resident(self):
        text = self.cleaned_data["resident"].strip()
        digits = "".join(c for c in text if c.isdigit())
        residents = User.objects.filter(role=User.Role.RESIDENT, is_active=True)
        if "@" in text:
            found = list(residents.filter(email__iexact=text)[:2])
        elif len(digits) == 11:  # a CUIT/CUIL
            found = list(residents.filter(document_number=digits)[:2])
        elif 7 <= len(digits) <= 8:
            # The DNI itself, or inside a CUIT/CUIL (two digits, the DNI, a check digit).
            dni = digits.zfill(8)
            found = list(
                residents.filter(
                    Q(document_type=User.DocumentType.DNI, document_number__in={digits, dni})
                    | Q(
                        document_type=User.DocumentType.CUIT,
                        document_number__regex=rf"^\d\d{dni}\d$",
                    )
                )[:2]
            )
        else:
            raise forms.ValidationError(
                _("Write the resident's e-mail, DNI (7 or 8 digits) or CUIT/CUIL (11 digits).")
            )
        if not found:
            raise forms.ValidationError(_("No resident account with that e-mail or DNI."))
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several resident accounts match that DNI. Use the resident's e-mail.")
            )
        return found[0]


class WriteForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachment = forms.FileField(
        label=_("Attach a file (PDF, JPG or PNG, up to 10 MB)"), required=False
    )

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment:
            check_upload(attachment, accept=ATTACHMENT_TYPES, max_size_mb=ATTACHMENT_MAX_MB)
        return attachment


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail"), help_text=_("We answer to this address."))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(
        label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        coerce=int,
        choices=[
            (5, _("5 — Very satisfied")),
            (4, _("4 — Satisfied")),
            (3, _("3 — Neutral")),
            (2, _("2 — Unsatisfied")),
            (1, _("1 — Very unsatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
