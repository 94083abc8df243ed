"""Screens: the closing (締め処理). Choose a closing date, see its preview (every customer who
closes that day and exactly what the run will invoice: the run's own computation, nothing
written), run it (a Celery task; the run's page shows progress, polled by htmx, then its
invoices), and e-mail all its invoices in one step to each customer's billing contacts (a
Celery task too, its progress polled the same way, then what it did with each invoice), with
the send log per invoice. Sales admins run and send; managers read; reps neither."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_htmx.http import HttpResponseClientRefresh

from backoffice.api.fields import MAX_ID
from backoffice.businessdays import add_months, day_of_month
from backoffice.exceptions import DomainError
from backoffice.roles import Role
from backoffice.screens import RoleRequiredMixin, refuse
from billing import services
from billing.closing_preview import closing_preview, closing_run_invoices
from billing.forms.closings import ClosingDateForm, SendInvoicesForm
from billing.models import ClosingRun, ClosingSend, Invoice
from documents.models import DocumentMailing

PAGE_SIZE = 30
READERS = (Role.SALES_ADMIN, Role.MANAGER)


def last_month_end():
    """The closing most offices run first thing in a month: the last day of the previous one."""
    today = timezone.localdate()
    year, month = add_months(today.year, today.month, -1)
    return day_of_month(year, month, 31)


def list_page(request, form=None):
    """The runs, newest date first, and the form to choose a date (with its errors)."""
    runs = ClosingRun.objects.select_related("created_by").order_by("-closing_date")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = form or ClosingDateForm(initial={"closing_date": last_month_end()})
    return render(request, "billing/closings/list.html", {"form": form, "page_obj": page, "runs": page.object_list})


class ClosingListView(RoleRequiredMixin, View):
    roles = READERS

    def get(self, request):
        return list_page(request)


class ClosingPreviewView(RoleRequiredMixin, View):
    roles = READERS

    def get(self, request):
        form = ClosingDateForm(request.GET)
        if not form.is_valid():
            return list_page(request, form)
        preview = closing_preview(closing_date=form.cleaned_data["closing_date"], user=request.user)
        return render(request, "billing/closings/preview.html", {"form": form, "preview": preview})


class ClosingRunView(RoleRequiredMixin, View):
    """Run (or run again) the closing of a date: scheduled, then its page shows progress."""

    roles = (Role.SALES_ADMIN,)

    def post(self, request):
        form = ClosingDateForm(request.POST)
        if not form.is_valid():
            return list_page(request, form)
        closing_date = form.cleaned_data["closing_date"]
        try:
            run = services.closing_schedule(closing_date=closing_date, user=request.user)
        except DomainError as exc:
            run = ClosingRun.objects.filter(closing_date=closing_date).first()
            if run is None or run.status != ClosingRun.Status.FAILED:
                refuse(form, exc)
                return list_page(request, form)
            # Without a broker the run itself ran after commit and failed: its page says why.
            messages.error(request, _("The closing failed: %(reason)s") % {"reason": exc.message})
        return redirect("billing:closing_detail", pk=run.pk)


class ClosingDetailView(RoleRequiredMixin, View):
    """A run: its progress while it runs (htmx polls this page's progress part), then its
    invoices with their send log and the send-all button."""

    roles = READERS

    def get(self, request, pk):
        run = get_object_or_404(ClosingRun.objects.select_related("created_by"), pk=min(pk, MAX_ID))
        running = run.status == ClosingRun.Status.RUNNING
        send = run.sends.select_related("requested_by").order_by("-pk").first()
        sending = send is not None and send.status == ClosingSend.Status.RUNNING
        if request.htmx:
            if request.GET.get("part") == "send":
                if sending:
                    return render(request, "billing/closings/_send_progress.html", {"run": run, "send": send})
                return HttpResponseClientRefresh()  # sent: the whole page, with the send log
            if running:
                return render(request, "billing/closings/_progress.html", {"run": run})
            return HttpResponseClientRefresh()  # finished: the whole page, with its invoices
        rows = [] if running else closing_run_invoices(run)
        new = sum(1 for row in rows if row.new)
        statuses = [row.last_mailing.status if row.last_mailing else "" for row in rows if row.recipients.to]
        context = {
            "run": run,
            "running": running,
            "rows": rows,
            "new_count": new,
            "earlier_count": sum(1 for row in rows if not row.new and row.invoice.status != Invoice.Status.CANCELLED),
            "mailable_count": len(statuses),
            "unsent_count": statuses.count(""),
            "failed_count": statuses.count(DocumentMailing.Status.FAILED),
            "no_address_count": sum(1 for row in rows if not row.last_mailing and not row.recipients.to),
            "send_form": SendInvoicesForm(),
            "send": send,
            "sending": sending,
            "send_report": [] if send is None or sending else report_lines(services.closing_send_report(send)),
        }
        return render(request, "billing/closings/detail.html", context)


class ClosingSendView(RoleRequiredMixin, View):
    """E-mail all the run's invoices (each once); with "resend_failed", the failed ones again."""

    roles = (Role.SALES_ADMIN,)

    def post(self, request, pk):
        run = get_object_or_404(ClosingRun, pk=min(pk, MAX_ID))
        form = SendInvoicesForm(request.POST)
        resend = form.is_valid() and form.cleaned_data["resend_failed"]
        try:
            send = services.closing_send_schedule(run=run, user=request.user, resend_failed=resend)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("billing:closing_detail", pk=run.pk)
        send.refresh_from_db(fields=["status"])
        if send.status == ClosingSend.Status.RUNNING:  # with a broker; without one it has finished
            messages.info(request, _("The invoices are being sent by e-mail: the progress is shown below."))
        return redirect("billing:closing_detail", pk=run.pk)


def report_lines(report) -> list[tuple[str, str]]:
    """What a send did, as (level, sentence) lines for the run's page."""
    lines = []
    if report.sent:
        count = len(report.sent)
        lines.append(
            (
                "success",
                ngettext("%(count)d invoice was sent by e-mail.", "%(count)d invoices were sent by e-mail.", count)
                % {"count": count},
            )
        )
    if report.resent:
        count = len(report.resent)
        lines.append(
            (
                "success",
                ngettext("%(count)d failed mail was sent again.", "%(count)d failed mails were sent again.", count)
                % {"count": count},
            )
        )
    if report.already_sent and not report.requested:
        lines.append(("info", _("Every invoice with an address has already been sent: nothing was sent twice.")))
    elif report.already_sent:
        count = len(report.already_sent)
        lines.append(
            (
                "info",
                ngettext(
                    "%(count)d invoice had already been sent and was not sent again.",
                    "%(count)d invoices had already been sent and were not sent again.",
                    count,
                )
                % {"count": count},
            )
        )
    if report.failed_before:
        count = len(report.failed_before)
        lines.append(
            (
                "warning",
                ngettext(
                    "The mail of %(count)d invoice failed before and was not sent again: "
                    "use “Send the failed mails again”.",
                    "The mails of %(count)d invoices failed before and were not sent again: "
                    "use “Send the failed mails again”.",
                    count,
                )
                % {"count": count},
            )
        )
    if report.no_address:
        names = "、".join(f"{i.customer.code} {i.customer.name}" for i in report.no_address)
        lines.append(
            (
                "warning",
                _(
                    "Not sent, no e-mail address: %(customers)s. Register a contact who receives invoices by e-mail,"
                    " or send these invoices another way."
                )
                % {"customers": names},
            )
        )
    for invoice, reason in report.refused:
        lines.append(("error", _("%(number)s was not sent: %(reason)s") % {"number": invoice.number, "reason": reason}))
    return lines


class InvoiceMailingResendView(RoleRequiredMixin, View):
    """Send one invoice's failed mail again, from its page or from its run's page."""

    roles = (Role.SALES_ADMIN,)

    def post(self, request, pk, mailing_pk):
        invoice = get_object_or_404(Invoice, pk=min(pk, MAX_ID))
        mailing = get_object_or_404(DocumentMailing, pk=min(mailing_pk, MAX_ID), document_id=invoice.document_id)
        try:
            services.invoice_mailing_resend(invoice=invoice, mailing=mailing, user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(number)s was sent again.") % {"number": invoice.number})
        if request.POST.get("back") == "run" and invoice.closing_run_id:
            return redirect("billing:closing_detail", pk=invoice.closing_run_id)
        return redirect("billing:invoice_detail", pk=invoice.pk)


urlpatterns = [
    path("closings/", ClosingListView.as_view(), name="closing_list"),
    path("closings/preview/", ClosingPreviewView.as_view(), name="closing_preview"),
    path("closings/run/", ClosingRunView.as_view(), name="closing_run"),
    path("closings/<int:pk>/", ClosingDetailView.as_view(), name="closing_detail"),
    path("closings/<int:pk>/send/", ClosingSendView.as_view(), name="closing_send"),
    path(
        "invoices/<int:pk>/mailings/<int:mailing_pk>/resend/",
        InvoiceMailingResendView.as_view(),
        name="invoice_mailing_resend",
    ),
]
