from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"
    verbose_name = _("orders")

    def ready(self) -> None:
        from backoffice.roles import Role, register_model_permissions

        # What each role sees in the admin; the services enforce the finer rules
        # (a rep edits quote requests of their own customers, only managers approve).
        flow = ("orders.inquiry", "orders.quote", "orders.quoteline", "orders.order", "orders.orderline")
        shipping = ("orders.shipment", "orders.shipmentline")
        for label in flow:
            register_model_permissions(Role.SALES_ADMIN, label, ("view", "add", "change"))
            register_model_permissions(Role.MANAGER, label, ("view", "change"))
        for label in shipping:
            register_model_permissions(Role.SALES_ADMIN, label, ("view", "change"))
            register_model_permissions(Role.MANAGER, label, ("view",))
            register_model_permissions(Role.SALES_REP, label, ("view",))
        for label in ("orders.inquiry", "orders.quote", "orders.quoteline"):
            register_model_permissions(Role.SALES_REP, label, ("view", "add", "change"))
        register_model_permissions(Role.SALES_REP, "orders.order", ("view",))
        register_model_permissions(Role.SALES_REP, "orders.orderline", ("view",))
