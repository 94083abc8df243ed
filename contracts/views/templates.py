"""Screens: contract templates (契約書のひな形). The list by kind with each template's current
version; a version's page with the template's other versions; the edit form, whose save is a
new version (contracts keep the version they were drafted from), with the placeholders the
renderer fills and a preview. Sales admins write, managers read and mark which wording is
the standard (a contract from it needs no approval): the API's rule."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.api.fields import MAX_ID
from backoffice.exceptions import DomainError
from backoffice.roles import Role, has_role
from backoffice.screens import refuse, role_required

from .. import selectors, services
from ..forms import ContractTemplateForm
from ..models import ContractTemplate

READERS = (Role.SALES_ADMIN, Role.MANAGER)


def _placeholders():
    return [{"name": f"{{{name}}}", "label": label} for name, label in services.PLACEHOLDERS.items()]


@role_required(*READERS)
def template_list(request):
    return render(
        request,
        "contracts/templates/list.html",
        {"groups": selectors.templates_by_kind(), "can_edit": has_role(request.user, Role.SALES_ADMIN)},
    )


@role_required(*READERS)
def template_detail(request, pk):
    template = get_object_or_404(ContractTemplate.objects.select_related("created_by"), pk=min(pk, MAX_ID))
    versions = list(selectors.template_versions(template.code))
    previous = next((v for v in versions if v.version < template.version), None)
    return render(
        request,
        "contracts/templates/detail.html",
        {
            "template": template,
            "versions": versions,
            "previous": previous,
            "changes": selectors.wording_changes(template, previous),
            "can_edit": has_role(request.user, Role.SALES_ADMIN) and template.is_current,
            "can_mark_standard": has_role(request.user, Role.MANAGER) and template.is_current,
        },
    )


@require_POST
@role_required(Role.MANAGER)
def template_mark_standard(request, pk):
    template = get_object_or_404(ContractTemplate, pk=min(pk, MAX_ID))
    try:
        services.contract_template_mark_standard(template=template, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(template)s is now the standard wording: contracts drafted from it need no approval.")
            % {"template": template},
        )
    return redirect("contracts:template_detail", pk=template.pk)


@role_required(Role.SALES_ADMIN)
def template_edit(request, pk=None):
    """A new version of a template (the current one's page offers it), or a new template.
    `preview` fills the wording with an example customer without saving."""
    template = None
    if pk is not None:
        template = get_object_or_404(ContractTemplate, pk=min(pk, MAX_ID))
        if not template.is_current:  # an old version is read, never edited
            current = ContractTemplate.objects.get(code=template.code, is_current=True)
            return redirect("contracts:template_edit", pk=current.pk)
    form = ContractTemplateForm(request.POST or None, instance=template, new=template is None)
    preview = ""
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if "preview" in request.POST:
                preview = services.template_preview(body=data["body"])
            elif template is None:
                saved = services.contract_template_create(user=request.user, data=data)
                messages.success(request, _("The template was saved as version 1."))
                return redirect("contracts:template_detail", pk=saved.pk)
            else:
                saved = services.contract_template_update(
                    template=ContractTemplate.objects.get(pk=template.pk), user=request.user, data=data
                )
                if saved.pk == template.pk:
                    messages.info(
                        request, _("Nothing changed: the template stays at version %(v)d.") % {"v": saved.version}
                    )
                else:
                    messages.success(
                        request,
                        _("Saved as version %(v)d. Contracts drafted from earlier versions keep their wording.")
                        % {"v": saved.version},
                    )
                    if template.is_standard and not saved.is_standard:
                        messages.warning(
                            request,
                            _(
                                "The new wording is not the standard: contracts drafted from it need a manager's "
                                "approval until a manager makes it the standard."
                            ),
                        )
                return redirect("contracts:template_detail", pk=saved.pk)
        except DomainError as exc:
            refuse(form, exc)
    refused = request.method == "POST" and not form.is_valid()
    return render(
        request,
        "contracts/templates/edit.html",
        {"form": form, "template": template, "placeholders": _placeholders(), "preview": preview},
        status=400 if refused else 200,
    )


urlpatterns = [
    path("templates/", template_list, name="template_list"),
    path("templates/new/", template_edit, name="template_new"),
    path("templates/<int:pk>/", template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", template_edit, name="template_edit"),
    path("templates/<int:pk>/standard/", template_mark_standard, name="template_mark_standard"),
]
