import pytest

from server.domain.errors import RuleViolation
from server.domain.photos import MAX_BYTES, image_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 20
WEBP = b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 8


@pytest.mark.parametrize(("data", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
def test_a_photo_is_a_raster_image_recognised_by_its_bytes(data, kind):
    assert image_type(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"<html><script>alert(1)</script>",
        b"GIF89a" + b"\0" * 10,
        b"RIFF\0\0\0\0WAVE",
        PNG + b"\0" * MAX_BYTES,
    ],
)
def test_anything_else_is_refused_naming_the_image(data):
    with pytest.raises(RuleViolation) as e:
        image_type(data)
    assert e.value.field == "image"
