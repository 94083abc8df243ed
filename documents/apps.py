from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = _("documents")

    def ready(self) -> None:
        from backoffice.roles import Role, register_model_permissions

        from . import checks  # noqa: F401  (registers the font check)

        # Read-only everywhere: the admin lists documents, nobody changes or deletes them.
        for role in Role:
            register_model_permissions(role, "documents.issueddocument", ("view",))
        register_model_permissions(Role.SALES_ADMIN, "documents.documentcounter", ("view",))
