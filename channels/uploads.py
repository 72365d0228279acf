"""Screenshots: accept only real PNG, JPEG or WebP images, re-encoded.

The uploaded bytes are never stored. Each file is decoded with Pillow
(which checks the real format, not the name or the browser's content type),
its pixel count is bounded before decoding so a decompression bomb is
refused cheaply, and the pixels are written out again: metadata (EXIF with
GPS positions) and anything appended after the image are dropped.
"""

import dataclasses
import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
TOO_MANY_PIXELS = _("This image has too many pixels. Please send a normal screenshot.")
FORMAT_NAMES = {extension: name for name, (extension, _type) in FORMATS.items()}


@dataclasses.dataclass(frozen=True)
class Screenshot:
    content: bytes
    name: str  # random, with the extension of the real format
    content_type: str
    width: int
    height: int


def _refuse(message, code: str):
    return ValidationError(message, code=code)


def screenshot_from_upload(upload) -> Screenshot:
    """Return the re-encoded screenshot, or raise ValidationError.

    Codes: ``too_large`` (bytes), ``too_many_pixels``, ``not_an_image``.
    """
    if upload.size > MAX_BYTES:
        raise _refuse(_("Each screenshot must be at most 5 MB."), "too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(TOO_MANY_PIXELS, "too_many_pixels")
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(TOO_MANY_PIXELS, "too_many_pixels") from None
    except Exception:
        # Pillow raises many exception types for broken or foreign files.
        raise _refuse(
            _(
                "Only PNG, JPEG or WebP screenshots are accepted. Other files, "
                "including SVG and HTML, are refused."
            ),
            "not_an_image",
        ) from None
    return _reencode(image)


def _reencode(image: Image.Image) -> Screenshot:
    extension, content_type = FORMATS[image.format]
    image = ImageOps.exif_transpose(image)
    if extension == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    # Saving without exif/icc/pnginfo arguments writes the pixels alone.
    image.save(buffer, format=FORMAT_NAMES[extension], quality=90)
    return Screenshot(
        content=buffer.getvalue(),
        name=f"{secrets.token_hex(16)}.{extension}",
        content_type=content_type,
        width=image.width,
        height=image.height,
    )
