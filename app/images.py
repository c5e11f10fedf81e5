"""Uploaded images, checked by their content (never their name or declared type) with Pillow.

Campaign covers and organizations' signatures, stamps and logos go through the same check: not
empty, within a size in bytes, a real image of an allowed format, within a number of pixels (a
small file can declare a huge image), and readable to its end.
"""
import io

from PIL import Image, UnidentifiedImageError

from app.errors import InvalidInput

MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def check_image(data: bytes, field: str, *, formats, max_bytes: int, max_pixels: int, what: str) -> str:
    """The image's format (`PNG`, `JPEG`...) if `data` is an acceptable image; else InvalidInput naming
    `field`. `what` names the image in the message ("the cover image")."""
    names = ", ".join(formats)
    if not data:
        raise InvalidInput(f"{what} is empty", field)
    if len(data) > max_bytes:
        raise InvalidInput(f"{what} is larger than {max_bytes // 1024} KiB", field)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if kind not in formats:
                raise InvalidInput(f"{what} must be a {names} image", field)
            if width * height > max_pixels:
                raise InvalidInput(f"{what} has too many pixels (at most {max_pixels:,})", field)
            image.verify()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(f"{what} must be a {names} image", field) from None
    return kind


def as_png(data: bytes) -> bytes:
    """A checked image as PNG (what the PDF renderer embeds), without its metadata; transparency kept."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        return buffer.getvalue()
