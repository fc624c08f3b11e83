"""Uploads are judged by their content: PDF, JPEG and PNG only; no active PDFs; no bombs."""

import struct
import zlib

import pytest

from portal.core.uploads import MAX_BYTES, UploadRefused, check_upload


def png(width, height):
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def jpeg(width, height):
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9 + sof + b"\xff\xd9"


def test_the_three_allowed_kinds():
    assert check_upload(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF") == "pdf"
    assert check_upload(png(800, 600)) == "png"
    assert check_upload(jpeg(800, 600)) == "jpeg"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"MZ\x90\x00 an executable renamed letter.pdf", "wrong_type"),
    (b"PK\x03\x04 a zip file", "wrong_type"),
    (b"<html><script>alert(1)</script>", "wrong_type"),
    (b"%PDF-1.7\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj", "active_content"),
    (b"%PDF-1.7\n1 0 obj<</Type/EmbeddedFile>>endobj", "active_content"),
    (png(100_000, 100_000), "too_many_pixels"),
    (jpeg(60_000, 60_000), "too_many_pixels"),
    (b"%PDF-" + b"0" * MAX_BYTES, "too_big"),
])
def test_refused(data, reason):
    with pytest.raises(UploadRefused) as refused:
        check_upload(data)
    assert refused.value.reason == reason
