"""Roles, organisation kinds and agency levels: plain data on the ground floor (the permission module, the
accounts models and every app read them; nothing here imports an app)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    PROVIDER = "provider", _("Service provider / institution")
    BANK = "bank", _("Bank")
    AGENCY = "agency", _("Agency")
    INVESTOR = "investor", _("Investor")
    UNIVERSITY = "university", _("University or research institute")


class AgencyLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


# How many leading digits of the GB/T 2260 code an agency of each level covers.
LEVEL_PREFIX_LENGTH = {
    AgencyLevel.NATIONAL: 0,
    AgencyLevel.PROVINCE: 2,
    AgencyLevel.CITY: 4,
    AgencyLevel.DISTRICT: 6,
}


class Role(models.TextChoices):
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator")
    ENTERPRISE_MEMBER = "enterprise_member", _("Enterprise member")
    AGENCY_REVIEWER = "agency_reviewer", _("Agency reviewer")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    BANK_OFFICER = "bank_officer", _("Bank officer")
    EXPERT = "expert", _("Expert")
    INSTITUTION_STAFF = "institution_staff", _("University or institute staff")
    BROKER = "broker", _("Technology broker")
    INVESTOR_STAFF = "investor_staff", _("Investor staff")
    INCUBATOR_MANAGER = "incubator_manager", _("Incubator manager")


ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER})
AGENCY_ROLES = frozenset({Role.AGENCY_REVIEWER, Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN})

# Which roles an organisation of each kind may give its members.
ROLES_BY_KIND = {
    OrgKind.ENTERPRISE: ENTERPRISE_ROLES,
    OrgKind.AGENCY: AGENCY_ROLES | {Role.EXPERT},
    OrgKind.PROVIDER: frozenset({Role.PROVIDER_STAFF, Role.EXPERT, Role.BROKER, Role.INCUBATOR_MANAGER}),
    OrgKind.BANK: frozenset({Role.BANK_OFFICER}),
    OrgKind.INVESTOR: frozenset({Role.INVESTOR_STAFF, Role.EXPERT, Role.ENTERPRISE_MEMBER}),
    OrgKind.UNIVERSITY: frozenset({Role.INSTITUTION_STAFF, Role.EXPERT, Role.BROKER}),
}
