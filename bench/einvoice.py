"""JP PINT e-invoice benchmark (not a test): milliseconds per document, beside the PDF.

    .venv/bin/python bench/einvoice.py [--runs 30]

For the same 30-line and 300-line invoices (mixed 10 % / 8 %), in one process and run:
  - UBL export: billing.einvoice.build_ubl (the XML from the issued snapshot) plus
    check_ubl (this project's own checks), as every export does;
  - validation: the official JP PINT 1.1.3 kit (../shared/pint-kit or PINT_KIT_DIR: UBL XSD,
    PINT shared and PINT JP Schematron), per document, after its one-time start-up;
  - PDF: documents.rendering.render_pdf of the same invoice (the baseline).
The kit is a test/bench tool (saxonche, lxml from requirements-dev.txt): without it the
validation column says why and the rest still runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from common import ROOT, scratch_dir

sys.path.insert(0, str(ROOT))
SCRATCH = scratch_dir("bench-einvoice-")
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"  # nothing is written to it
os.environ["MEDIA_ROOT"] = str(SCRATCH / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from pdf import ISSUER, invoice  # noqa: E402  (the PDF bench's invoice and issuer)

from billing.einvoice import build_ubl, check_ubl  # noqa: E402
from billing.einvoice.kit import KitValidator, kit_missing  # noqa: E402
from documents.rendering import render_pdf  # noqa: E402


def per_document_ms(call, runs: int) -> float:
    call()  # warm-up: fonts, compiled stylesheets, caches
    start = time.perf_counter()
    for _ in range(runs):
        call()
    return (time.perf_counter() - start) * 1000 / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="documents per measurement (30)")
    args = parser.parse_args()

    missing = kit_missing()
    validator = None
    if missing is None:
        started = time.perf_counter()
        validator = KitValidator()
        print(f"JP PINT kit start-up (two XSDs loaded, two rule files compiled): {time.perf_counter() - started:.2f} s")
    else:
        print(f"validation not measured: {missing}")

    print(
        f"{'invoice':<10} {'UBL export':>11} {'validation':>11} {'PDF render':>11}  (ms per document, {args.runs} runs)"
    )
    for lines in (30, 300):
        data = invoice(lines)
        snapshot = {"number": "INV-2026-000123", "document": data.to_json(), "issuer": ISSUER.to_json()}

        def export(snapshot=snapshot):
            xml = build_ubl(snapshot)
            check_ubl(xml)
            return xml

        xml = export()
        export_ms = per_document_ms(export, args.runs)
        if validator is not None:
            result = validator.validate(xml)
            if not result["valid"]:
                sys.exit(f"the {lines}-line invoice is not valid JP PINT: {KitValidator.fatal(result)}")
            validation = f"{per_document_ms(lambda xml=xml: validator.validate(xml), args.runs):>11.1f}"
        else:
            validation = f"{'-':>11}"
        pdf_ms = per_document_ms(lambda data=data: render_pdf(data, number="INV-2026-000123", issuer=ISSUER), args.runs)
        print(f"{f'{lines} lines':<10} {export_ms:>11.1f} {validation} {pdf_ms:>11.1f}   XML {len(xml):,} bytes")


if __name__ == "__main__":
    main()
