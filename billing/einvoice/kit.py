"""The official JP PINT 1.1.3 validation kit (../shared/pint-kit/, beside the clone), for
tests and benchmarks only: the product never needs it at run time.

`PINT_KIT_DIR` names another place (a worktree whose parent has no `shared/`)."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

from django.conf import settings


def kit_dir() -> Path:
    configured = os.environ.get("PINT_KIT_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "pint-kit"


def kit_missing() -> str | None:
    """Why the kit cannot run here (None when it can)."""
    path = kit_dir()
    if not (path / "validate.py").is_file():
        return f"the JP PINT kit is not at {path} (set PINT_KIT_DIR, or put ../shared beside the clone)"
    for module in ("saxonche", "lxml"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -r requirements-dev.txt)"
    return None


class KitValidator:
    """The kit's Validator (both XSDs loaded, both rule files compiled once), for bytes."""

    def __init__(self) -> None:
        spec = importlib.util.spec_from_file_location("pint_kit_validate", kit_dir() / "validate.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self._validator = module.Validator()
        self._dir = tempfile.mkdtemp(prefix="pint-kit-")

    def validate(self, xml: bytes, name: str = "document.xml") -> dict:
        path = Path(self._dir) / name
        path.write_bytes(xml)
        return self._validator.validate(str(path))

    @staticmethod
    def fatal(result: dict) -> list[str]:
        """'rule id: text' of each fatal finding."""
        return [
            f"{r['id']} ({r['layer']}) {r['location']}: {r['text']}" for r in result["results"] if r["flag"] == "fatal"
        ]
