"""Clerk photos (挂牌上岗): what an uploaded picture may be.

A photo is shown on public screens (window board, rating pad), so only raster images a browser
shows as images are taken — JPEG, PNG or WebP, recognised by their bytes, never by what the
upload claims (an SVG or HTML file could carry script) — and at most MAX_BYTES.
"""

from __future__ import annotations

from .errors import RuleViolation

MAX_BYTES = 240 * 1024

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def _bad(zh: str, en: str) -> RuleViolation:
    err = RuleViolation("invalid_field", zh, en)
    err.field = "image"
    return err


def image_type(data: bytes) -> str:
    """The content type of an acceptable photo, or a refusal naming the `image` field."""
    if not data:
        raise _bad("照片为空", "the photo is empty")
    if len(data) > MAX_BYTES:
        raise _bad(f"照片不能超过 {MAX_BYTES // 1024} KB", f"a photo is at most {MAX_BYTES // 1024} KB")
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise _bad("照片须为 JPEG、PNG 或 WebP 图片", "a photo is a JPEG, PNG or WebP image")
