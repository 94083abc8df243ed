from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
    verbose_name = _("billing")

    def ready(self) -> None:
        from backoffice.roles import Role, register_model_permissions
        from orders.services import register_after_ship, register_closed_period_check, register_receivables_provider

        from .selectors import customer_balance_expression
        from .services import closed_period_check, issue_invoice_after_ship

        register_receivables_provider(customer_balance_expression)
        register_closed_period_check(closed_period_check)
        register_after_ship(issue_invoice_after_ship)

        # Money moves only through the services: the admin shows these read-only, except
        # the billing settings and the payer names that sales admins keep.
        read_only = ("view",)
        models = [
            "invoice",
            "invoiceline",
            "invoiceshipment",
            "closingrun",
            "payment",
            "allocation",
            "creditnote",
            "creditnoteline",
            "bankstatementimport",
            "bankstatementline",
            "payername",
            "billingsettings",
        ]
        for model in models:
            register_model_permissions(Role.SALES_ADMIN, f"billing.{model}", read_only)
            register_model_permissions(Role.MANAGER, f"billing.{model}", read_only)
        register_model_permissions(Role.SALES_ADMIN, "billing.billingsettings", ("view", "change"))
        register_model_permissions(Role.SALES_ADMIN, "billing.payername", ("view", "add", "change", "delete"))
        for model in ("invoice", "invoiceline", "creditnote", "creditnoteline", "payment"):
            register_model_permissions(Role.SALES_REP, f"billing.{model}", read_only)
