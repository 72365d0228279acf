"""The code passes the project's lint (``[tool.ruff]`` in pyproject.toml):
pyflakes and pycodestyle errors, import order, bugbear, pyupgrade and
Django's rules. Run ``.venv/bin/ruff check --fix .`` to mend what it can."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--output-format",
            "concise",
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
