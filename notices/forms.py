from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Department
from procedures.models import ProcedureType

from .models import Area, Notice


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class NoticeForm(forms.Form):
    department = forms.ModelChoiceField(
        Department.objects.none(), label=pgettext_lazy("municipal department", "Department")
    )
    service = forms.ChoiceField(choices=Notice.Service.choices, label=_("Service affected"))
    title = forms.CharField(max_length=150, label=_("Title"))
    description = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), label=_("What happens")
    )
    what_to_do = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("What to do"),
    )
    areas = forms.ModelMultipleChoiceField(
        Area.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Areas"),
        help_text=_("Leave all unchecked if the whole city is affected."),
    )
    procedure_types = forms.ModelMultipleChoiceField(
        ProcedureType.objects.filter(audience=ProcedureType.Audience.RESIDENT),
        required=False,
        label=_("Procedures affected"),
        help_text=_("Their pages show the notice."),
    )
    starts_at = forms.DateTimeField(widget=DateTimeLocalInput(), label=_("Since"))
    ends_at = forms.DateTimeField(
        required=False, widget=DateTimeLocalInput(), label=_("Expected until")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(group__user=user)
        self.fields["department"].queryset = departments
        if len(departments) == 1:
            self.fields["department"].initial = departments[0]
        self.fields["procedure_types"].label_from_instance = self._procedure_label

    @staticmethod
    def _procedure_label(procedure_type: ProcedureType) -> str:
        return procedure_type.code

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The expected end must be after the start."))
        return data


class UpdateForm(forms.Form):
    text = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Update")
    )
    ends_at = forms.DateTimeField(
        required=False,
        widget=DateTimeLocalInput(),
        label=_("New expected end"),
        help_text=_("Leave empty to keep it."),
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Closing note"),
    )


class FollowForm(forms.Form):
    services = forms.MultipleChoiceField(
        choices=Notice.Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Services"),
    )
    areas = forms.ModelMultipleChoiceField(
        Area.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Areas")
    )
