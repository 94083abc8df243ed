"""What the slip and picking-list tests share: a PDF's text per page (pdftotext -layout)."""

import shutil
import subprocess

import pytest


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page as pdftotext lays it out, spaces squeezed to one."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    out = subprocess.run([pdftotext, "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout  # noqa: S603
    pages = out.decode().split("\f")
    return [" ".join(page.split()) for page in pages if page.strip()]
