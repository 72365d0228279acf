import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from channels.uploads import MAX_BYTES, screenshot_from_upload
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
    shot = screenshot_from_upload(upload(image_bytes(fmt), name="x.bin"))
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
            "x.svg",
        ),
        (b"GIF89a" + b"\x00" * 40, "a.gif"),
        (image_bytes("GIF"), "real.gif"),
        (image_bytes("BMP"), "real.bmp"),
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
