"""Contracts made through the real services, and their PDF's text as pdftotext reads it."""

import datetime as dt
import importlib
import re
import shutil
import subprocess

import pytest
from django.apps import apps

from contracts import services
from contracts.models import ContractTemplate
from documents.models import IssuedDocument
from documents.services import document_pdf_bytes


def standard_templates() -> dict:
    """The standard templates the data migration ships, current version per kind (created
    again when a transaction test has flushed the tables)."""
    importlib.import_module("contracts.migrations.0002_standard_templates").create_templates(apps, None)
    return {t.kind: t for t in ContractTemplate.objects.filter(is_current=True)}


MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def draft_master(user, customer, template, **data):
    values = {
        "customer": customer,
        "template": template,
        "starts_on": dt.date(2026, 12, 1),
        "ends_on": dt.date(2027, 11, 30),
        "auto_renew_months": 12,
        "notice_days": 90,
        "company_signatory_title": "代表取締役",
        "company_signatory_name": "山田 太郎",
        "customer_signatory_title": "代表取締役社長",
        "customer_signatory_name": "北村 一郎",
        **data,
    }
    return services.contract_create(user=user, data=values)


def issue(contract, user, capture, **kwargs):
    with capture(execute=True):
        return services.contract_issue(contract=contract, user=user, **kwargs)


def signed(contract, user, capture, *, signed_on=None, **kwargs):
    contract = issue(contract, user, capture, **kwargs)
    return services.contract_sign(contract=contract, user=user, content=MINIMAL_PDF, signed_on=signed_on)


def pdf_text(document_id: int) -> str:
    """The PDF's text by pdftotext, its lines joined (a wrapped sentence reads as one)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    pdf = document_pdf_bytes(IssuedDocument.objects.get(pk=document_id))
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S607
    return re.sub(r"\s*\n\s*", "", result.stdout.decode())
