"""Numeric query parameters: ASCII digits only.

``int()`` and ``str.isdigit()`` accept far more than a person types in a
URL: ``int("١٢")`` is 12, ``int("1_0")`` is 10, ``int(" 7 ")`` is 7, and
``"²".isdigit()`` is True although ``int("²")`` raises. Every numeric
parameter goes through ``ascii_int`` so that only ``[0-9]`` reads as a
number, and a number has a bounded length.
"""

import re

DIGITS = re.compile(r"[0-9]{1,9}")


def ascii_int(value: str | None) -> int | None:
    """Return ``value`` as an int when it is 1 to 9 ASCII digits, else None."""
    if value is None or not DIGITS.fullmatch(value):
        return None
    return int(value)


def page_number(value: str | None) -> int:
    """Return the page a ``page`` parameter asks for; anything that is not a
    plain positive number is the first page (as ``Paginator.get_page``
    treats a bad number), and a page past the end is for the paginator to
    clamp."""
    number = ascii_int(value)
    return number if number else 1
