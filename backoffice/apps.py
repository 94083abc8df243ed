from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "backoffice"
    verbose_name = _("back office")

    def ready(self) -> None:
        from .roles import sync_role_permissions

        # Permissions exist only after migrate; keep each group's grants in step with roles.py.
        post_migrate.connect(sync_role_permissions, dispatch_uid="backoffice.sync_role_permissions")
