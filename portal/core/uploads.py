"""Files people upload (supporting papers, consent, responses): PDF, JPEG or PNG only, the type
judged by the content and never by the name, size-limited, and refused when they could carry
active content (a PDF with JavaScript or an embedded file) or expand into a huge image."""

from __future__ import annotations

import re
import struct

from portal.core.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a PNG or JPEG larger than this is a decompression bomb, not a scan
MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|OpenAction|AA)\b")


class UploadRefused(DomainError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # too_big | wrong_type | active_content | too_many_pixels | empty


def _png_pixels(data: bytes) -> int:
    width, height = struct.unpack(">II", data[16:24])
    return width * height


def _jpeg_pixels(data: bytes) -> int:
    """Width x height from the first start-of-frame marker."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width * height
        i += 2 + length
    raise UploadRefused("wrong_type")


def check_upload(data: bytes) -> str:
    """The file's kind (pdf, jpeg or png), or UploadRefused with the reason."""
    if not data:
        raise UploadRefused("empty")
    if len(data) > MAX_BYTES:
        raise UploadRefused("too_big")
    if data.startswith(b"%PDF-"):
        if _PDF_ACTIVE.search(data):
            raise UploadRefused("active_content")
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        if _png_pixels(data) > MAX_PIXELS:
            raise UploadRefused("too_many_pixels")
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        if _jpeg_pixels(data) > MAX_PIXELS:
            raise UploadRefused("too_many_pixels")
        return "jpeg"
    raise UploadRefused("wrong_type")
