from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
    verbose_name = _("billing")

    def ready(self) -> None:
        from backoffice.roles import Role, register_model_permissions

        from . import einvoice

        einvoice.register()  # documents stores the JP PINT e-invoice beside each invoice's PDF

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
        register_model_permissions(Role.SALES_ADMIN, "billing.bankcsvlayout", ("view", "add", "change", "delete"))
        for model in ("invoice", "invoiceline", "creditnote", "creditnoteline", "payment"):
            register_model_permissions(Role.SALES_REP, f"billing.{model}", read_only)
