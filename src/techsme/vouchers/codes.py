"""Voucher codes: readable, verifiable and not guessable (an HMAC with the instance's voucher-code key).

``IV2026-000123-7KQ4MZ2X9PLA`` = year, application number, and the first 60 bits of
``HMAC-SHA256(key, salt + "IV2026-000123")`` in Crockford-like base32, the key from ``core.keys`` (the
environment in production, the instance directory elsewhere; never committed). Without the key nobody can
produce a valid code for a number, so the public verification page can be open to anyone.
"""

import base64
import re

from django.utils.crypto import constant_time_compare, salted_hmac

from techsme.core.keys import get_key

SALT = "techsme.vouchers.code"
CODE_RE = re.compile(r"^IV(\d{4})-(\d{6,})-([A-Z2-7]{12})$")


def _signature(stem: str) -> str:
    digest = salted_hmac(SALT, stem, secret=get_key("voucher-codes"), algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:12]


def make_code(year: int, number: int) -> str:
    stem = f"IV{year:04d}-{number:06d}"
    return f"{stem}-{_signature(stem)}"


def check_code(code: str) -> bool:
    """Whether the code carries a valid signature (it may still not belong to any issued voucher)."""
    match = CODE_RE.match((code or "").strip().upper())
    if not match:
        return False
    stem = f"IV{match.group(1)}-{match.group(2)}"
    return constant_time_compare(match.group(3), _signature(stem))


def normalise(code: str) -> str:
    return (code or "").strip().upper()
