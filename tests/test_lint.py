"""The code passes the project's lint and format checks (``[tool.ruff]`` in
pyproject.toml): pyflakes and pycodestyle errors, import order, bugbear,
pyupgrade and Django's rules, and black style at 88 columns. Run
``.venv/bin/ruff check --fix . && .venv/bin/ruff format .`` to mend them."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--no-cache", "--output-format", "concise", "."],
        ["format", "--no-cache", "--check", "--diff", "."],
    ],
    ids=["check", "format"],
)
def test_ruff_finds_nothing(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
