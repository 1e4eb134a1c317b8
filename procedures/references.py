"""Human case references that cannot be guessed from one another.

Format ``EXP-2026-7KM4-Q9XD``: the year, then 8 characters of Crockford's
base32 (no I, L, O, U: nothing to misread over the phone) drawn at random,
about 10^12 possibilities per year.
"""

import re
import secrets

from django.utils import timezone

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FULL_REFERENCE = re.compile(rf"EXP-\d{{4}}-[{_ALPHABET}]{{4}}-[{_ALPHABET}]{{4}}")


def new_reference() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    year = timezone.localdate().year
    return f"EXP-{year}-{body[:4]}-{body[4:]}"


def normalize_reference(text: str) -> str:
    """What a person typed, as stored: upper case, misreadable letters mapped."""
    cleaned = text.strip().upper().replace(" ", "")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
