"""Colour contrast of static/css/site.css, computed from its custom properties.

Not a browser test: it reads the stylesheet as text, so it runs everywhere.
Each pair is a foreground and the background it is drawn on somewhere in the
stylesheet; WCAG AA asks 4.5:1 for text and 3:1 for control borders and
focus rings.
"""

import re

import pytest
from django.conf import settings

TEXT_PAIRS = [
    ("text", "bg"),
    ("text", "surface"),
    ("text", "surface-sunken"),
    ("text", "accent-soft"),
    ("text", "ok-bg"),
    ("text", "warn-bg"),
    ("text", "danger-bg"),
    ("text", "info-bg"),
    ("text-muted", "bg"),
    ("text-muted", "surface"),
    ("text-muted", "surface-sunken"),
    ("link", "bg"),
    ("link", "surface"),
    ("link", "surface-sunken"),
    ("link", "accent-soft"),
    ("link", "info-bg"),
    ("link-visited", "surface"),
    ("accent-text", "accent"),
    ("accent-text", "accent-hover"),
    ("hero-text", "hero-from"),
    ("hero-text", "hero-to"),
    ("ok", "ok-bg"),
    ("warn", "warn-bg"),
    ("danger", "danger-bg"),
    ("danger", "surface"),
    ("info", "info-bg"),
    ("mark-text", "mark-bg"),
]
NON_TEXT_PAIRS = [
    ("border-strong", "surface"),
    ("border-strong", "bg"),
    ("focus", "bg"),
    ("focus", "surface"),
    ("accent", "surface"),
]


def _schemes() -> dict[str, dict[str, str]]:
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    light_block = re.search(r":root\s*\{(.*?)\n\}", css, re.S).group(1)
    dark_block = re.search(
        r"prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(.*?)\n  \}", css, re.S
    ).group(1)

    def colours(block: str) -> dict[str, str]:
        return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))

    light = colours(light_block)
    return {"light": light, "dark": {**light, **colours(dark_block)}}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """Return the WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    lighter, darker = sorted(
        (_luminance(foreground), _luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_of_black_on_white_is_21():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_colours_meet_wcag_aa(scheme, foreground, background):
    colours = _schemes()[scheme]
    ratio = contrast(colours[foreground], colours[background])
    assert ratio >= 4.5, f"{scheme}: {foreground} on {background} is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("foreground", "background"), NON_TEXT_PAIRS)
def test_control_borders_and_focus_rings_meet_3_to_1(scheme, foreground, background):
    colours = _schemes()[scheme]
    ratio = contrast(colours[foreground], colours[background])
    assert ratio >= 3, f"{scheme}: {foreground} on {background} is {ratio:.2f}:1"
