"""ARCHITECTURE.md's arrows, kept: the import-linter contracts in pyproject.toml
([tool.importlinter]) must all hold. A broken one fails here with import-linter's report,
which names the contract and the importing module and line."""

import os
import subprocess
import sys

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
