"""Tiny readers for environment variables.

Every variable the settings read goes through these helpers, so
``tests/test_settings.py`` can check that the README documents each one.
"""

import os

READ_NAMES: set[str] = set()


def env_str(name: str, default: str = "") -> str:
    """Return the variable's value, or ``default`` when it is unset or empty."""
    READ_NAMES.add(name)
    return os.environ.get(name, "") or default


def env_bool(name: str, default: bool = False) -> bool:
    """Return True for ``1``, ``true``, ``yes`` or ``on`` (any case)."""
    value = env_str(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer; a malformed value fails loudly."""
    value = env_str(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated items of the variable, stripped, no blanks."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]
