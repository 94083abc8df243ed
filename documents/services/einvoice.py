"""E-invoices (JP PINT UBL) stored beside the PDFs: written once with their SHA-256, read
back only verified, never changed.

`documents` knows nothing of what goes into an e-invoice: the app that issues invoices
registers a builder per document kind (`einvoice_builder_register`, from its AppConfig),
a function of the issued document that returns the XML bytes, or None when the document
is not one of its e-invoices. The render step stores the e-invoice right after the PDF;
a document issued before e-invoices existed (or whose build failed) gets it built and
stored on the first request (`document_einvoice_bytes`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit

from ..exceptions import EInvoiceUnavailable, StoredEInvoiceMissing, StoredEInvoiceTampered
from ..models import IssuedDocument, IssuedEInvoice

logger = logging.getLogger(__name__)

EInvoiceBuilder = Callable[[IssuedDocument], "bytes | None"]
_BUILDERS: dict[str, EInvoiceBuilder] = {}


def einvoice_builder_register(*, kinds: Iterable[str], builder: EInvoiceBuilder) -> None:
    """Make `builder` the e-invoice builder of these document kinds (called once at start-up)."""
    for kind in kinds:
        _BUILDERS[str(kind)] = builder


def einvoice_kinds() -> frozenset[str]:
    return frozenset(_BUILDERS)


def _stored(document: IssuedDocument) -> IssuedEInvoice | None:
    try:
        return document.einvoice
    except IssuedEInvoice.DoesNotExist:
        return None


def _build(document: IssuedDocument) -> bytes:
    builder = _BUILDERS.get(document.kind)
    xml = builder(document) if builder is not None else None
    if xml is None:
        raise EInvoiceUnavailable(_("%(number)s has no e-invoice.") % {"number": document.number})
    return xml


def einvoice_store(*, document: IssuedDocument, xml: bytes) -> IssuedEInvoice:
    """Store the XML of `document` once. If another request stored it meanwhile, theirs is
    kept (and returned) and this copy's file removed."""
    field = IssuedEInvoice._meta.get_field("xml")
    einvoice = IssuedEInvoice(document=document, sha256=hashlib.sha256(xml).hexdigest(), stored_at=timezone.now())
    name = field.storage.save(field.generate_filename(einvoice, f"{document.number}.xml"), ContentFile(xml))
    einvoice.xml = name
    try:
        with transaction.atomic():
            einvoice.save()
    except IntegrityError:
        field.storage.delete(name)
        return IssuedEInvoice.objects.get(document=document)
    document.einvoice = einvoice
    return einvoice


def documents_store_einvoices(documents: Iterable[IssuedDocument]) -> int:
    """The render step's second half: the e-invoice of every document of a registered kind
    that has none yet. A failed build is logged and left for the first request (which
    reports the reason); it never fails the PDF. Returns how many were stored."""
    stored = 0
    for document in documents:
        if document.kind not in _BUILDERS:
            continue
        # No look-up first: a document just rendered has none, and one stored meanwhile by a
        # request is kept by einvoice_store (the unique document) — no query for a document
        # its builder declines.
        try:
            xml = _BUILDERS[document.kind](document)
            if xml is not None:
                einvoice_store(document=document, xml=xml)
                stored += 1
        except Exception:
            logger.exception("the e-invoice of %s could not be stored", document.number)
    return stored


def _read(einvoice: IssuedEInvoice) -> bytes | None:
    try:
        with einvoice.xml.open("rb") as file:
            return file.read()
    except (FileNotFoundError, ValueError):
        return None


def einvoice_verified_bytes(einvoice: IssuedEInvoice, *, user=None) -> bytes:
    """The stored XML, verified against its SHA-256 (refusals recorded in the audit trail)."""
    document = einvoice.document
    xml = _read(einvoice)
    if xml is None:
        audit.record(actor=user, action="document.einvoice_missing", obj=document, changes={"file": einvoice.xml.name})
        logger.error("the stored e-invoice of %s (%s) is missing", document.number, einvoice.xml.name)
        raise StoredEInvoiceMissing(
            _("The e-invoice file of document %(number)s is missing.") % {"number": document.number},
            number=document.number,
        )
    actual = hashlib.sha256(xml).hexdigest()
    if actual != einvoice.sha256:
        audit.record(
            actor=user,
            action="document.einvoice_tampered",
            obj=document,
            changes={"file": einvoice.xml.name, "expected_sha256": einvoice.sha256, "actual_sha256": actual},
        )
        logger.error("the stored e-invoice of %s was altered: SHA-256 %s", document.number, actual)
        raise StoredEInvoiceTampered(
            _("The e-invoice of document %(number)s has been tampered with (SHA-256 mismatch).")
            % {"number": document.number},
            number=document.number,
        )
    return xml


def document_einvoice_bytes(document: IssuedDocument, *, user=None) -> bytes:
    """The e-invoice of an issued document: the stored one, verified; built and stored now
    if it has none yet (a document issued before e-invoices, or whose build failed then).
    A document that cannot have one is EInvoiceUnavailable; the builder's own refusals
    (a DomainError naming the problem) come through as they are."""
    einvoice = _stored(document)
    if einvoice is None:
        einvoice = einvoice_store(document=document, xml=_build(document))
    return einvoice_verified_bytes(einvoice, user=user)
