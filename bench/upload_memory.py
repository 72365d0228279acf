"""Peak memory of checking one uploaded screenshot.

    .venv/bin/python bench/upload_memory.py

Each image is written as a real PNG (streamed through zlib, so building it
takes no memory), then checked by ``screenshot_from_upload`` in a fresh
subprocess that reports how far its peak resident memory rose. Pillow
allocates pixels outside Python's allocator, so tracemalloc would not see
them; ``ru_maxrss`` does.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [(1080, 2400), (3840, 2160), (4000, 4000), (6320, 6320), (20000, 20000)]

CHILD = """
import json, os, resource, sys
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from channels.uploads import screenshot_from_upload
content = open({path!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    screenshot_from_upload(SimpleUploadedFile("shot.png", content))
    outcome = "accepted"
except ValidationError as error:
    outcome = error.code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"outcome": outcome, "peak_mb": (after - before) / 1024}}))
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def write_png(path: Path, width: int, height: int) -> int:
    """Write a black RGB PNG of ``width`` x ``height``; return its size."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * width)  # filter byte, then RGB pixels
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        out.write(_chunk(b"IHDR", header))
        data = b"".join(compressor.compress(row) for _row in range(height))
        out.write(_chunk(b"IDAT", data + compressor.flush()))
        out.write(_chunk(b"IEND", b""))
    return path.stat().st_size


def measure(width: int, height: int) -> dict:
    """Return ``{"outcome", "peak_mb", "file_kb"}`` for one generated PNG."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shot.png"
        size = write_png(path, width, height)
        code = CHILD.format(root=str(ROOT), path=str(path))
        output = subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        ).stdout
    return {**json.loads(output.strip().splitlines()[-1]), "file_kb": size // 1024}


def main() -> None:
    for width, height in SIZES:
        figures = measure(width, height)
        print(
            f"{width} x {height} PNG, {figures['file_kb']} KB: "
            f"{figures['outcome']}, peak +{figures['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
