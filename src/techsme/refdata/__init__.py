"""Reference data shipped inside the package (no Django): GB/T 2260 regions and GB/T 4754-2017 industries.

Provenance and snapshot dates: ``data/PROVENANCE.md``.
"""

from techsme.refdata.industries import (
    IndustryClass,
    industry_class,
    industry_classes,
    industry_sections,
    is_valid_industry,
)
from techsme.refdata.regions import (
    Region,
    is_county_region,
    province_of,
    region,
    region_name,
    regions,
)

SNAPSHOT_DATE = "2026-11-26"

__all__ = [
    "SNAPSHOT_DATE",
    "IndustryClass",
    "Region",
    "industry_class",
    "industry_classes",
    "industry_sections",
    "is_county_region",
    "is_valid_industry",
    "province_of",
    "region",
    "region_name",
    "regions",
]
