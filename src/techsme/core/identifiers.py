"""Validation of identifiers and codes with messages that say what is wrong (English and Chinese)."""

from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc

from techsme import refdata
from techsme.core.values import message
from techsme.parsing import compact_code, uscc_problem


def uscc_error(value: str) -> str | None:
    """None when ``value`` is a valid USCC, else a message saying what is wrong (the check of ``techsme.parsing``,
    shared with the command line)."""
    problem = uscc_problem(compact_code(value or ""))
    return None if problem is None else message(problem)


def region_error(code: str) -> str | None:
    from techsme.core.models import AdditionalRegion

    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return _("A region code has six digits (GB/T 2260), e.g. 440305.")
    if refdata.is_county_region(code) or AdditionalRegion.objects.filter(code=code).exists():
        return None
    return _("%(code)s is not a county-level region code in the GB/T 2260 snapshot.") % {"code": code}


def industry_error(code: str) -> str | None:
    code = (code or "").strip().upper()
    if not refdata.industries.CODE_PATTERN.match(code):
        return _("An industry code is a section letter and four digits (GB/T 4754-2017), e.g. I6513.")
    if refdata.industry_class(code) is None:
        return _("%(code)s is not a GB/T 4754-2017 industry class (check the section letter and the digits).") % {
            "code": code
        }
    return None


def organisation_code(serial: int) -> str:
    """A nine-character GB 11714 organisation code for ``serial`` (eight digits and the check character)."""
    body = f"{serial % 10**8:08d}"
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(region_code: str, serial: int, *, authority: str = "9", entity_type: str = "1") -> str:
    """A well-formed USCC (GB 32100-2015) for test and demo data: authority, type, region, org code, check."""
    body = f"{authority}{entity_type}{region_code}{organisation_code(serial)}"
    return body + stdnum_uscc.calc_check_digit(body)
