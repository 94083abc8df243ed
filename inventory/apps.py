from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory"
    verbose_name = _("inventory")

    def ready(self) -> None:
        from backoffice.roles import Role, register_model_permissions  # imports auth models: only once apps are ready

        # Stock numbers change only through services, so nobody gets add/change on them in
        # the admin; sales admins edit draft purchase orders and run their actions.
        read_only = ("view",)
        grants = {
            Role.SALES_ADMIN: {
                "inventory.stocklevel": read_only,
                "inventory.stockmove": read_only,
                "inventory.stockdemand": read_only,
                "inventory.stockallocation": read_only,
                "inventory.purchaseorder": ("view", "add", "change"),
                "inventory.purchaseorderline": ("view", "add", "change", "delete"),
            },
            Role.MANAGER: {
                "inventory.stocklevel": read_only,
                "inventory.stockmove": read_only,
                "inventory.stockdemand": read_only,
                "inventory.stockallocation": read_only,
                "inventory.purchaseorder": read_only,
                "inventory.purchaseorderline": read_only,
            },
            Role.SALES_REP: {
                "inventory.stocklevel": read_only,
            },
        }
        for role, models in grants.items():
            for label, actions in models.items():
                register_model_permissions(role, label, actions)
