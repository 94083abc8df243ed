"""The send log of an invoice's e-mails, for the invoice page: `{% invoice_send_log invoice %}`."""

from django import template

from billing.closing_preview import document_mailings

register = template.Library()


@register.inclusion_tag("billing/closings/_send_log.html", takes_context=True)
def invoice_send_log(context, invoice, back: str = ""):
    return {
        "invoice": invoice,
        "mailings": document_mailings(invoice.document_id),
        "is_sales_admin": context.get("is_sales_admin"),
        "csrf_token": context.get("csrf_token"),
        "back": back,
    }
