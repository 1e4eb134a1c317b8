import json

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .catalog import CatalogInvalid
from .models import Case, CaseEvent, Category, ProcedureType, ProcedureVersion
from .services import catalog as catalog_services


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position")


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("number", "status", "valid_from", "valid_until", "content_hash")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProcedureType)
class ProcedureTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "audience", "category")
    list_filter = ("audience", "category")
    search_fields = ("code", "versions__name_es")
    readonly_fields = ("code", "audience", "category")
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # types come from the catalog files (`manage.py catalog sync`)


class DraftDefinitionForm(forms.ModelForm):
    definition_json = forms.CharField(
        label=_("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text=_("The same keys as the catalog files. It is checked before saving."),
    )

    class Meta:
        model = ProcedureVersion
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition_json"].initial = json.dumps(
            self.instance.definition, ensure_ascii=False, indent=2
        )

    def clean_definition_json(self):
        try:
            return json.loads(self.cleaned_data["definition_json"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from exc


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = (
        "procedure_type",
        "number",
        "status",
        "name_es",
        "fee_kind",
        "fee_amount",
        "deadline_business_days",
        "valid_from",
    )
    list_filter = ("status", "procedure_type__audience", "procedure_type__category")
    search_fields = ("procedure_type__code", "name_es")
    actions = ["new_draft", "publish"]
    readonly_fields = (
        "procedure_type",
        "number",
        "status",
        "content_hash",
        "valid_from",
        "valid_until",
        "name_es",
        "fee_kind",
        "fee_amount",
        "deadline_business_days",
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and obj.status == ProcedureVersion.Status.DRAFT:
            kwargs["form"] = DraftDefinitionForm
        return super().get_form(request, obj, **kwargs)

    def has_add_permission(self, request):
        return False  # a draft starts from a version: use the "new draft" action

    def has_change_permission(self, request, obj=None):
        # Published and retired versions are frozen: cases were filed under them.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == ProcedureVersion.Status.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            catalog_services.update_draft(
                obj, form.cleaned_data["definition_json"], actor=request.user
            )
        except CatalogInvalid as exc:
            messages.error(request, _("Not saved: %(errors)s") % {"errors": exc})

    @admin.action(description=_("Create a draft from the selected versions"))
    def new_draft(self, request, queryset):
        for version in queryset:
            catalog_services.create_draft_from(version, actor=request.user)
        messages.success(request, _("Drafts created."))

    @admin.action(description=_("Publish the selected drafts"), permissions=["publish"])
    def publish(self, request, queryset):
        for version in queryset.filter(status=ProcedureVersion.Status.DRAFT):
            try:
                catalog_services.publish_version(version, actor=request.user)
            except CatalogInvalid as exc:
                messages.error(request, str(exc))

    def has_publish_permission(self, request):
        return request.user.has_perm("procedures.publish_procedureversion")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "kind", "step_name", "actor", "public", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("reference", "version", "applicant", "status", "channel", "due_date")
    list_filter = ("status", "channel", "version__procedure_type__category")
    search_fields = ("reference", "applicant__email", "applicant__full_name")
    date_hierarchy = "submitted_at"
    inlines = [CaseEventInline]
    list_select_related = ("version", "applicant")

    # Cases change only through the portal's services, which audit every step.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
