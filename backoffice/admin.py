from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken as KnoxAuthToken

from . import audit
from .exceptions import DomainError
from .models import ApiToken, AuditEvent, BankAccount, CompanyProfile
from .roles import Role, has_role
from .services import api_tokens_revoke_all, company_profile_update

admin.site.site_header = _("Sales back office")
admin.site.site_title = _("Sales back office")
admin.site.index_title = _("Daily work")


class AuditHistoryMixin:
    """The admin's 「履歴」 page shows the object's audit trail (who, when, what changed):
    every change goes through a service that records an audit event, not through the
    admin's own LogEntry, which would be empty for anything done by the API or a service."""

    object_history_template = "admin/audit_history.html"

    def history_view(self, request, object_id, extra_context=None):
        events = (
            AuditEvent.objects.filter(object_type=self.opts.label_lower, object_id=unquote(object_id))
            .select_related("actor")
            .order_by("occurred_at", "pk")
        )
        paginator = self.get_paginator(request, events, 100)
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        context = {
            "action_list": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "pagination_required": paginator.count > 100,
            **(extra_context or {}),
        }
        # The parent checks the object and the user's permission, then renders our list.
        return super().history_view(request, object_id, extra_context=context)


class AuditedModelAdmin(AuditHistoryMixin, admin.ModelAdmin):
    """A plain ModelAdmin whose history page is the audit trail."""


class ReadOnlyAdminMixin:
    """Rows the admin shows but never adds, changes or deletes: they change only through
    services, or never (logs, issued documents)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """A read-only list whose history page is the audit trail (stock levels, invoices)."""


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent that change only through services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ServiceModelAdmin(AuditedModelAdmin):
    """Saves through the app's service functions, so the admin obeys the same rules and
    leaves the same audit trail as the API. Subclasses set create_service, update_service
    and instance_arg like the API's MasterViewSet."""

    create_service = None
    update_service = None
    instance_arg = "instance"

    def changeform_view(self, request, *args, **kwargs):
        # A business rule refused the save: the admin's transaction rolled back; say why.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def run_service(self, request, queryset, service, success_message, **kwargs):
        """Admin actions: call one service per selected object; report each refusal."""
        done = 0
        for obj in queryset:
            try:
                result = service(obj, user=request.user, **kwargs)
            except DomainError as error:
                self.message_user(request, f"{obj}: {error.message}", level=messages.ERROR)
                continue
            done += 1
            message = success_message(result) if callable(success_message) else success_message
            if message:
                # A message of several lines (an order's stock answer: one per order line) keeps them.
                self.message_user(request, format_html("{}: {}", obj, linebreaksbr(message)), level=messages.SUCCESS)
        return done

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
            current = type(obj).objects.get(pk=obj.pk)
            saved = type(self).update_service(user=request.user, data=data, **{self.instance_arg: current})
        else:
            saved = type(self).create_service(user=request.user, data=dict(form.cleaned_data))
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for removed in formset.deleted_objects:
            audit.record(
                actor=request.user, action="delete", obj=removed, changes=audit.diff(audit.snapshot(removed), {})
            )
            removed.delete()
        for item in instances:
            before = {} if item.pk is None else audit.snapshot(type(item).objects.get(pk=item.pk))
            item.save()
            audit.record(actor=request.user, action="save", obj=item, changes=audit.diff(before, audit.snapshot(item)))
        formset.save_m2m()

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action="delete", obj=obj, changes=audit.diff(audit.snapshot(obj), {}))
        super().delete_model(request, obj)


def service_action(description, service, instance_arg: str, message="", **kwargs):
    """An admin action calling `service(<instance_arg>=row, user=..., **kwargs)` for each
    selected row through ServiceModelAdmin.run_service. `message` is text, or a callable
    of the service's result."""

    def action(modeladmin, request, queryset):
        modeladmin.run_service(
            request, queryset, lambda obj, user: service(**{instance_arg: obj}, user=user, **kwargs), message
        )

    return admin.action(description=description)(action)


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    extra = 0
    max_num = 5
    fields = ["position", "bank_name", "branch_name", "account_type", "account_number", "account_holder_kana"]


@admin.register(CompanyProfile)
class CompanyProfileAdmin(ServiceModelAdmin):
    inlines = [BankAccountInline]
    list_display = ["name", "registration_number", "rounding_mode", "fiscal_year_start_month", "is_complete"]
    fieldsets = [
        (_("Issuer"), {"fields": ["name", "postal_code", "address", "phone", "fax", "email", "registration_number"]}),
        (_("Documents"), {"fields": ["seal_image", "transfer_fee_note"]}),
        (
            _("Rules"),
            {
                "fields": [
                    "rounding_mode",
                    "fiscal_year_start_month",
                    "holiday_rule",
                    "max_discount_rate",
                    "max_quote_total",
                ]
            },
        ),
    ]

    @staticmethod
    def update_service(*, instance, user, data):
        return company_profile_update(user=user, data=data)

    @admin.display(boolean=True, description=_("complete"))
    def is_complete(self, obj):
        return obj.is_complete

    def has_add_permission(self, request):
        return False  # a singleton, created by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return has_role(request.user, Role.SALES_ADMIN)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "actor", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]


# API tokens: the project's own token model replaces knox's (KNOX_TOKEN_MODEL).
if admin.site.is_registered(KnoxAuthToken):
    admin.site.unregister(KnoxAuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issued API tokens (hashes only): see who holds one, delete one to revoke it."""

    list_display = ["user", "token_key_prefix", "created", "expiry"]
    list_filter = ["expiry"]
    search_fields = ["user__username", "token_key"]
    list_select_related = ["user"]
    fields = ["user", "token_key_prefix", "created", "expiry"]
    readonly_fields = fields

    @admin.display(description=_("key prefix"))
    def token_key_prefix(self, token):
        return token.token_key[:8]

    def has_add_permission(self, request):
        return False  # tokens are issued by signing in to auth/token/

    def has_change_permission(self, request, obj=None):
        return False


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class BackofficeUserAdmin(UserAdmin):
    """Django's user admin, plus: deactivating a user revokes their API tokens, and an
    action revokes the tokens of the selected users. (A password change needs nothing
    here: every token issued under the old password stops working by itself.)"""

    actions = ["revoke_api_tokens"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            api_tokens_revoke_all(user=obj, actor=request.user)

    @admin.action(description=_("Revoke API tokens"), permissions=["change"])
    def revoke_api_tokens(self, request, queryset):
        revoked = sum(api_tokens_revoke_all(user=user, actor=request.user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )
