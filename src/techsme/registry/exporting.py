"""Export of enterprises with their latest year of facts, in the columns of ``facts.md`` (CSV or XLSX).

The file imports back unchanged through ``registry.importing`` (text cells are formula-escaped on the way out and
un-escaped on the way in). IP counts are those derived from the enterprise's IP assets when it has any.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core.exports import FORMATS, spreadsheet_response, write_csv, write_xlsx
from techsme.core.permissions import can, scope
from techsme.registry.facts_fields import FACT_FIELDS
from techsme.registry.importing import IDENTITY_COLUMNS
from techsme.registry.models import Enterprise
from techsme.registry.selectors import facts_record

EXPORT_COLUMNS: tuple[str, ...] = (*IDENTITY_COLUMNS, *FACT_FIELDS)


def export_rows(queryset: QuerySet[Enterprise]) -> list[dict[str, Any]]:
    """One facts.md row per enterprise: its latest year of facts (identity columns only when it has none)."""
    rows = []
    for enterprise in queryset.prefetch_related("facts", "ip_assets").order_by("name", "pk"):
        years = sorted(enterprise.facts.all(), key=lambda f: f.tax_year)
        if years:
            record = facts_record(enterprise, years[-1])
            record["founded_on"] = enterprise.founded_on
        else:
            record = {
                "uscc": enterprise.uscc, "name": enterprise.name, "tax_year": None,
                "region_code": enterprise.region_code, "industry_code": enterprise.industry_code,
                "founded_on": enterprise.founded_on,
            }
        rows.append(record)
    return rows


def export_response(user: Any, fmt: str, queryset: QuerySet[Enterprise]) -> HttpResponse:
    """A CSV/XLSX download of ``queryset`` (narrowed again to what ``user`` may export).

    Raises ``PermissionDenied`` (HTTP 403) without the ``registry.export`` right; 400 for a format other than
    ``csv``/``xlsx``.
    """
    if not can(user, "registry.export"):
        raise PermissionDenied(_("You may not export enterprise data."))
    if fmt not in FORMATS:
        return HttpResponseBadRequest(_("Unknown export format: choose CSV or XLSX."))
    rows = export_rows(scope(user, "registry.export", queryset))
    filename = f"enterprises-{timezone.localdate().isoformat()}"
    if fmt == "xlsx":
        data = write_xlsx(rows, EXPORT_COLUMNS, sheet_title=_("Enterprises"))
    else:
        data = write_csv(rows, EXPORT_COLUMNS)
    return spreadsheet_response(data, filename, fmt)


__all__ = ["EXPORT_COLUMNS", "export_response", "export_rows"]
