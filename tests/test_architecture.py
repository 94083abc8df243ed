"""ARCHITECTURE.md's arrows, kept: the import-linter contracts in pyproject.toml
([tool.importlinter]) must all hold. A broken one fails here with import-linter's report,
which names the contract and the importing module and line."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# `lint-imports --no-cache`, run by this interpreter (the venv the tests run in), from the
# project root, in its own process: import-linter configures logging for its process.
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def test_imports_follow_the_arrows_of_architecture_md():
    run = subprocess.run(  # noqa: S603 (a fixed command, no user input)
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "COLUMNS": "200"},  # the report's lines unwrapped
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 0, f"Import contracts broken (ARCHITECTURE.md):\n{run.stdout}{run.stderr}"
    assert "0 broken" in run.stdout


def test_every_row_lock_is_for_no_key_update():
    """ARCHITECTURE.md, Locks: FOR UPDATE would block other transactions' deferred foreign-key
    checks at COMMIT, outside the lock order (a deadlock seen under load)."""
    root = Path(settings.BASE_DIR)
    apps = ["backoffice", "documents", "inventory", "orders", "contracts", "billing", "reports", "web"]
    calls, wrong = 0, []
    for path in (p for app in apps for p in (root / app).rglob("*.py") if "migrations" not in p.parts):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "select_for_update":
                calls += 1
                keywords = {k.arg: k.value for k in node.keywords}
                no_key = keywords.get("no_key")
                if not (isinstance(no_key, ast.Constant) and no_key.value is True):
                    wrong.append(f"{path.relative_to(root)}:{node.lineno}")
    assert calls > 20 and wrong == []
