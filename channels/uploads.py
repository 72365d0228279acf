"""Screenshots: accept only real PNG, JPEG or WebP images, re-encoded.

The uploaded bytes are never stored. Each file is decoded with Pillow
(which checks the real format, not the name or the browser's content type),
its pixel count is read from the header and bounded before any pixel is
decoded, so a small file that unpacks to a huge image is refused cheaply,
and the pixels are written out again: metadata (EXIF with GPS positions)
and anything appended after the image are dropped. A multi-picture JPEG
(MPO, from dual-camera phones) keeps its first picture.

Memory: Pillow holds 4 bytes a pixel for RGB and RGBA, so ``MAX_PIXELS``
bounds one decoded screenshot to about 64 MB; it is transposed in place
rather than copied (``bench/upload_memory.py`` measures the peak).
"""

import dataclasses
import io
import secrets
import unicodedata
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
# 16 megapixels: a 5K display (5120 x 2880) or a scrolling phone capture of
# 1170 x 13,600 fits; anything larger is not a screenshot.
MAX_PIXELS = 16_000_000
EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
# Letters that render as nothing but are not format characters (Cf).
INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f"}
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
TOO_MANY_PIXELS = _("This image has too many pixels. Please send a normal screenshot.")
FORMAT_NAMES = {extension: name for name, (extension, _type) in FORMATS.items()}
BAD_NAME = _("Screenshot file names must end in .png, .jpg, .jpeg or .webp.")


@dataclasses.dataclass(frozen=True)
class Screenshot:
    content: bytes
    name: str  # random, with the extension of the real format
    content_type: str
    width: int
    height: int


def _refuse(message, code: str):
    return ValidationError(message, code=code)


def visible_file_name(name: str) -> str:
    """Return ``name`` as a person reads it: NFKC-normalised, lower case,
    without invisible or direction-changing characters and surrounding
    spaces (``shot\u202egnp.exe`` displays as ``shotexe.png`` but is
    ``shotgnp.exe``)."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(
        char
        for char in text
        if unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
        and char not in INVISIBLE_LETTERS
    )
    return text.strip().casefold()


def screenshot_from_upload(upload) -> Screenshot:
    """Return the re-encoded screenshot, or raise ValidationError.

    Codes: ``bad_name`` (the name does not end in an image extension once
    invisible characters are removed), ``too_large`` (bytes),
    ``too_many_pixels``, ``not_an_image``.
    """
    if not visible_file_name(upload.name).endswith(EXTENSIONS):
        raise _refuse(BAD_NAME, "bad_name")
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
            return _reencode(image)
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


def _reencode(image: Image.Image) -> Screenshot:
    # An MPO is a JPEG followed by more pictures; the first one was loaded.
    real_format = "JPEG" if image.format == "MPO" else image.format
    extension, content_type = FORMATS[real_format]
    # In place: a transposed copy would double the memory of a large image.
    ImageOps.exif_transpose(image, in_place=True)
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
