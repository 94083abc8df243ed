from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contracts"
    verbose_name = _("contracts")

    def ready(self) -> None:
        from backoffice.roles import Role, register_model_permissions

        # The admin reads; every write goes through the services (drafts, new template versions).
        for label in ("contracts.contract", "contracts.contracttemplate", "contracts.contractrenewal"):
            register_model_permissions(Role.SALES_ADMIN, label, ("view",))
            register_model_permissions(Role.MANAGER, label, ("view",))
        register_model_permissions(Role.SALES_REP, "contracts.contract", ("view",))
