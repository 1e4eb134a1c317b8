from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import ActionRefused

from . import keys, services
from .forms import ReasonForm
from .models import OfficialSigningKey, SignedDocument


def signing_warnings() -> list[str]:
    """What an operator must know about how documents are signed here."""
    warnings = []
    if not settings.SIGNING_TSA_URL:
        warnings.append(
            _(
                "No timestamp authority is configured (SIGNING_TSA_URL): documents are signed "
                "at level B-B, without a certified time, and get no long-term validation data."
            )
        )
    if keys.uses_demo_pki():
        warnings.append(
            _(
                "Documents are signed or verified with the demo PKI under %(path)s. "
                "It is for development only: configure the municipality's keys and trust roots."
            )
            % {"path": settings.SIGNING_DEMO_DIR}
        )
    return warnings


@admin.register(SignedDocument)
class SignedDocumentAdmin(admin.ModelAdmin):
    list_display = (
        "display_code",
        "title",
        "subject_label",
        "status",
        "level",
        "signer_name",
        "attempts",
        "created_at",
        "issued_at",
    )
    list_filter = ("status", "kind", "level", "signer")
    search_fields = ("code", "subject_label", "signer_name", "sha256")
    date_hierarchy = "created_at"
    actions = ["revoke", "reissue", "retry"]
    readonly_fields = [f.name for f in SignedDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a signed document is revoked, never deleted

    def has_revoke_permission(self, request):
        return request.user.has_perm("documents.revoke_signeddocument")

    @admin.display(description=gettext_lazy("verification code"), ordering="code")
    def display_code(self, obj: SignedDocument) -> str:
        return obj.display_code

    def changelist_view(self, request, extra_context=None):
        for warning in signing_warnings():
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def _with_reason(self, request, queryset, *, action: str, title: str, service):
        form = ReasonForm(request.POST if "confirmed" in request.POST else None)
        if form.is_valid():
            done = 0
            for document in queryset:
                try:
                    service(
                        document_id=document.pk,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except ActionRefused as exc:
                    messages.error(request, str(exc))
                else:
                    done += 1
            if done:
                messages.success(request, _("%(count)d document(s) done.") % {"count": done})
            return None
        return TemplateResponse(
            request,
            "documents/admin_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "documents": queryset,
                "form": form,
                "action": action,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=gettext_lazy("Revoke (with a reason)"), permissions=["revoke"])
    def revoke(self, request, queryset):
        return self._with_reason(
            request, queryset, action="revoke", title=_("Revoke documents"), service=services.revoke
        )

    @admin.action(
        description=gettext_lazy("Re-issue: sign a new one that replaces it (with a reason)"),
        permissions=["revoke"],
    )
    def reissue(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="reissue",
            title=_("Re-issue documents"),
            service=services.reissue,
        )

    @admin.action(description=gettext_lazy("Retry signing now"))
    def retry(self, request, queryset):
        sent = sum(
            services.retry_now(document_id=pk) for pk in queryset.values_list("pk", flat=True)
        )
        messages.info(
            request, _("%(count)d document(s) sent to the signing queue.") % {"count": sent}
        )


@admin.register(OfficialSigningKey)
class OfficialSigningKeyAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "role",
        "token_label",
        "key_label",
        "active",
        "failed_pin_attempts",
        "locked_until",
        "updated_at",
    )
    list_filter = ("active",)
    search_fields = ("user__email", "user__full_name", "key_label", "token_label")
    autocomplete_fields = ("user",)
    readonly_fields = ("failed_pin_attempts", "locked_until")
    actions = ["unlock"]

    @admin.action(description=gettext_lazy("Unlock signing (after too many wrong PINs)"))
    def unlock(self, request, queryset):
        for key in queryset:
            services.unlock_signing(key=key, actor=request.user)
        messages.success(
            request, _("%(count)d signing key(s) unlocked.") % {"count": queryset.count()}
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting one by one keeps the audit trail
        return actions

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="signing_key.changed" if change else "signing_key.registered",
                obj=obj,
                after={
                    "user": obj.user.email,
                    "role": obj.role,
                    "token_label": obj.token_label,
                    "key_label": obj.key_label,
                    "active": obj.active,
                },
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action="signing_key.deleted",
                obj=obj,
                before={"user": obj.user.email, "key_label": obj.key_label},
            )
            super().delete_model(request, obj)
