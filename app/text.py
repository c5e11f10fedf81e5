"""Small text helpers shared by the packages."""
import re
import unicodedata


def slugify(value, max_length=80):
    """`Les Amis de l'Île Verte` -> `les-amis-de-l-ile-verte`."""
    ascii_text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
