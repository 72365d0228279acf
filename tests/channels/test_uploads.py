import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, strategies as st
from PIL import Image

from bench.upload_memory import measure
from channels.uploads import (
    MAX_BYTES,
    MAX_PIXELS,
    screenshot_from_upload,
    visible_file_name,
)
from tests.channels.conftest import image_bytes


def upload(content, name="shot.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal_code(content, **options):
    with pytest.raises(ValidationError) as raised:
        screenshot_from_upload(upload(content, **options))
    return raised.value.code


@pytest.mark.parametrize(
    "fmt, extension, content_type",
    [
        ("PNG", "png", "image/png"),
        ("JPEG", "jpg", "image/jpeg"),
        ("WEBP", "webp", "image/webp"),
    ],
)
def test_real_image_is_accepted_and_reencoded(fmt, extension, content_type):
    shot = screenshot_from_upload(upload(image_bytes(fmt), name="x.JPEG"))
    decoded = Image.open(io.BytesIO(shot.content))
    assert (decoded.format, decoded.size, shot.content_type) == (
        fmt,
        (40, 30),
        content_type,
    )
    assert shot.name.endswith("." + extension) and len(shot.name) == 33 + len(extension)


def test_random_names_differ():
    first = screenshot_from_upload(upload(image_bytes()))
    second = screenshot_from_upload(upload(image_bytes()))
    assert first.name != second.name


def test_exif_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    content = image_bytes("JPEG", exif=exif.tobytes())
    shot = screenshot_from_upload(upload(content, name="a.jpg"))
    assert b"SecretCam" in content and b"SecretCam" not in shot.content


def test_appended_payload_is_dropped():
    content = image_bytes() + b"<script>alert(1)</script>"
    shot = screenshot_from_upload(upload(content))
    assert b"<script>" not in shot.content


@pytest.mark.parametrize(
    "content, name",
    [
        (b"<html><body>hi</body></html>", "page.png"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "x.png",
        ),
        (b"GIF89a" + b"\x00" * 40, "a.jpg"),
        (image_bytes("GIF"), "real.webp"),
        (image_bytes("BMP"), "real.png"),
        (image_bytes()[:60], "truncated.png"),
    ],
    ids=["html", "svg", "fake-gif", "gif", "bmp", "truncated"],
)
def test_non_images_and_other_formats_are_refused(content, name):
    assert refusal_code(content, name=name) == "not_an_image"


def test_decompression_bomb_is_refused():
    # 10000 x 10000 one-bit pixels compress to a few kilobytes.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 100_000
    assert refusal_code(buffer.getvalue()) == "too_many_pixels"


def test_oversized_file_is_refused():
    assert refusal_code(b"\x89PNG" + b"\x00" * MAX_BYTES) == "too_large"


@pytest.mark.parametrize(
    "name",
    [
        "shot.png",
        "SHOT.PNG",
        "a.jpg",
        "a.jpeg",
        "a.webp",
        "shot.png\u200b",
        "shot.ｐｎｇ",
        "shot.pn\u3164g",
        "shot.png ",
    ],
)
def test_image_file_names_are_accepted_once_normalised(name):
    assert screenshot_from_upload(upload(image_bytes(), name=name)).content


@pytest.mark.parametrize(
    "name",
    [
        "shot\u202egnp.exe",
        "shot.png.exe",
        "shot.svg",
        "shot.gif",
        "shot",
        "shot.p\u200bng.html",
        "shot.png\x00.exe",
    ],
)
def test_other_file_names_are_refused(name):
    assert refusal_code(image_bytes(), name=name) == "bad_name"


@given(st.text(max_size=40))
def test_visible_file_name_keeps_no_invisible_character(name):
    visible = visible_file_name(name)
    assert visible == visible_file_name(visible)
    assert not any(char in visible for char in "\u200b\u202e\u2066\ufeff\x00")


def test_multi_picture_jpeg_keeps_its_first_picture():
    first = Image.new("RGB", (40, 30), (255, 0, 0))
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (80, 60))])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    shot = screenshot_from_upload(upload(buffer.getvalue(), name="dual.jpg"))
    decoded = Image.open(io.BytesIO(shot.content))
    assert (decoded.format, decoded.size, shot.content_type) == (
        "JPEG",
        (40, 30),
        "image/jpeg",
    )


def _png_header_only(width, height):
    """A PNG whose header claims ``width`` x ``height`` with almost no data."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "size", [(6320, 6320), (MAX_PIXELS // 1000 + 1, 1000), (100_000, 100_000)]
)
def test_pixel_count_is_refused_from_the_header(size):
    assert refusal_code(_png_header_only(*size)) == "too_many_pixels"


def test_error_while_reencoding_is_a_clear_refusal(monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("encoder error -2")

    content = image_bytes()
    monkeypatch.setattr(Image.Image, "save", broken)
    assert refusal_code(content) == "not_an_image"


@pytest.mark.parametrize(
    ("size", "outcome", "ceiling_mb"),
    [((6320, 6320), "too_many_pixels", 20), ((4000, 4000), "accepted", 100)],
)
def test_one_screenshot_takes_bounded_memory(size, outcome, ceiling_mb):
    # In a subprocess: the peak resident size of this process says nothing.
    figures = measure(*size)
    assert figures["outcome"] == outcome
    assert figures["peak_mb"] < ceiling_mb
