import re


def slugify(title):
    """Lowercase words joined by single hyphens: "Hello, World!" -> "hello-world"."""
    return re.sub(r"[^a-z0-9]", "-", title.lower())
