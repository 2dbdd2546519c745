"""The write matrix (docs/roles-and-scope.md): who may change what, for every write endpoint of the API and every
page of the site, tried by every demo role.

How to add a row (a new endpoint or page makes ``test_every_*_has_a_row`` fail until you do):

- an API write: ``"METHOD /path": Write(may("agency-admin", "admin"), "whose object the target is")`` in
  ``API_WRITES``; path parameters named ``<thing>_id`` aim at the demo object ``PARAMS`` names (add a target to
  ``TARGETS`` in ``tests/write_matrix_engine.py`` for a new kind of object, built from your app's demo step);
- a page: ``"namespace:name": Write(...)`` when it takes a POST that changes something, else ``Read()``; pass
  ``kwargs={"pk": "thing.pk"}`` for its URL parameters.

``may`` lists the demo usernames (README, "Demo logins") plus ``other-enterprise-admin`` (another enterprise in the
same district) and ``anonymous``. The roles not listed must get 401/403/404 and change nothing; the listed ones
must not be refused (they may still fail validation, 409/422, with the minimal request the test sends).
"""

import pytest

from tests.write_matrix_engine import (
    ANONYMOUS,
    OTHER_ENTERPRISE,
    Read,
    Write,
    api_writes,
    build_world,
    may,
    run,
    web_views,
)

DEMO_ROLES = (
    "admin",
    "enterprise-admin",
    "enterprise-member",
    "reviewer",
    "reviewer-gz",
    "manager",
    "agency-admin",
    "provider",
    "bank",
    "bank-gd",
    "expert",
    "broker",
    "university",
    OTHER_ENTERPRISE,
)
SIGNED_IN = frozenset(DEMO_ROLES)
EVERYONE = SIGNED_IN | {ANONYMOUS}
# technology transfer
ENTERPRISES = may("enterprise-admin", "enterprise-member", OTHER_ENTERPRISE)
PUBLISHERS = ENTERPRISES | may("university", "provider")
SOLVERS = PUBLISHERS
SELLERS = PUBLISHERS | may("broker")
MATCH_SIDES = may("admin", "enterprise-admin", "enterprise-member", "university")
REGISTRARS = may("admin", "agency-admin", "reviewer")

API_WRITES: dict[str, Write] = {
    "POST /assess": Write(SIGNED_IN, "a new object (in the actor's own scope)", audited=False),
    "POST /enterprises": Write(may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"),
    "PATCH /enterprises/{enterprise_id}": Write(
        may("admin", "agency-admin", "enterprise-admin"), "the demo enterprise (Shenzhen, 440305)"
    ),
    "PUT /enterprises/{enterprise_id}/facts/{year}": Write(
        may("admin", "agency-admin", "enterprise-admin", "enterprise-member"), "the demo enterprise (Shenzhen, 440305)"
    ),
    "POST /enterprises/{enterprise_id}/ip": Write(
        may("admin", "agency-admin", "enterprise-admin", "enterprise-member"), "the demo enterprise (Shenzhen, 440305)"
    ),
    "PATCH /enterprises/{enterprise_id}/ip/{ip_id}": Write(
        may("admin", "agency-admin", "enterprise-admin", "enterprise-member"), "an IP asset of the demo enterprise"
    ),
    "POST /evaluation/batches": Write(may(), "a new object (in the actor's own scope)"),
    "POST /evaluation/batches/{batch_id}/close": Write(may("admin", "manager"), "a publicity batch of Shenzhen"),
    "POST /evaluation/batches/{batch_id}/objections": Write(EVERYONE, "a publicity batch of Shenzhen"),
    "POST /evaluation/change-reports/{report_id}/acknowledgement": Write(
        may("admin", "agency-admin", "reviewer"), "a change report"
    ),
    "POST /evaluation/change-reports/{report_id}/revocation": Write(may("admin", "agency-admin"), "a change report"),
    "POST /evaluation/decisions": Write(
        may("admin", "agency-admin", "manager", "reviewer"),
        "a new object (in the actor's own scope)",
        validates_first=True,
    ),
    "POST /evaluation/decisions/check": Write(SIGNED_IN, "a new object (in the actor's own scope)", audited=False),
    "POST /evaluation/enterprises/{enterprise_id}/filings": Write(
        may("admin", "enterprise-admin", "enterprise-member"), "the demo enterprise (Shenzhen, 440305)"
    ),
    "POST /evaluation/filings/{filing_id}/decision": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing"
    ),
    "POST /evaluation/filings/{filing_id}/documents": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing"
    ),
    "PATCH /evaluation/filings/{filing_id}/facts": Write(may("admin"), "the demo enterprise's filing"),
    "POST /evaluation/filings/{filing_id}/onsite-check": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing"
    ),
    "POST /evaluation/filings/{filing_id}/preview": Write(may("admin"), "the demo enterprise's filing", audited=False),
    "POST /evaluation/filings/{filing_id}/submit": Write(may("admin"), "the demo enterprise's filing"),
    "POST /evaluation/imports": Write(
        may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"
    ),
    "POST /evaluation/objections/{objection_id}/resolution": Write(may("admin", "manager"), "an objection"),
    "POST /evaluation/registrations/{registration_id}/annual-update": Write(may("admin"), "a registration in Shenzhen"),
    "POST /evaluation/registrations/{registration_id}/revocations": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "a registration in Shenzhen"
    ),
    "POST /evaluation/revocations/{revocation_id}/decision": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "a revocation notice"
    ),
    "POST /evaluation/revocations/{revocation_id}/defence": Write(may("admin"), "a revocation notice"),
    "POST /imports": Write(may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"),
    "POST /incentives/scenarios": Write(
        may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"
    ),
    "POST /instruments/bookings/{booking_id}/approve": Write(may("admin", "provider"), "the demo enterprise's booking"),
    "POST /instruments/bookings/{booking_id}/cancel": Write(
        may("admin", "enterprise-admin", "enterprise-member", "provider"), "the demo enterprise's booking"
    ),
    "POST /instruments/bookings/{booking_id}/decline": Write(may("admin", "provider"), "the demo enterprise's booking"),
    "POST /instruments/bookings/{booking_id}/no-show": Write(may("admin", "provider"), "the demo enterprise's booking"),
    "POST /instruments/usage/{usage_id}/voucher-payment": Write(may(), "a usage record"),
    "POST /instruments/{instrument_id}/bookings": Write(SIGNED_IN, "a shared instrument of the demo provider"),
    "POST /instruments/{instrument_id}/usage": Write(
        may("admin", "provider"), "a shared instrument of the demo provider"
    ),
    "POST /vouchers/applications/{application_id}/decision": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's application", validates_first=True
    ),
    "POST /vouchers/contracts": Write(
        may("admin", "enterprise-admin", "enterprise-member"),
        "a new object (in the actor's own scope)",
        validates_first=True,
    ),
    "POST /vouchers/contracts/{contract_id}/cancel": Write(
        may("admin", "agency-admin", "manager"), "the demo enterprise's voucher contract"
    ),
    "POST /vouchers/contracts/{contract_id}/delivery": Write(
        may("admin", "provider"), "the demo enterprise's voucher contract"
    ),
    "POST /vouchers/contracts/{contract_id}/redeem": Write(
        may("admin", "provider"), "the demo enterprise's voucher contract"
    ),
    "POST /vouchers/contracts/{contract_id}/refund": Write(
        may("admin", "agency-admin", "manager"), "the demo enterprise's voucher contract"
    ),
    "POST /vouchers/contracts/{contract_id}/verification": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's voucher contract"
    ),
    "POST /vouchers/contracts/{contract_id}/withdraw": Write(
        may("admin", "enterprise-admin", "enterprise-member", "provider"), "the demo enterprise's voucher contract"
    ),
    "POST /vouchers/programmes": Write(
        may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)", validates_first=True
    ),
    "PATCH /vouchers/programmes/{programme_id}": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme", data={"max_contract_share": "0.45"}
    ),
    "POST /vouchers/programmes/{programme_id}/applications": Write(
        may("enterprise-admin", "enterprise-member", "other-enterprise-admin"),
        "the Shenzhen voucher programme",
        validates_first=True,
    ),
    "POST /vouchers/programmes/{programme_id}/close": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme"
    ),
    "POST /vouchers/programmes/{programme_id}/fund": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme", validates_first=True
    ),
    "PUT /vouchers/programmes/{programme_id}/recognition": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme"
    ),
    "POST /vouchers/programmes/{programme_id}/reimbursements": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme", validates_first=True
    ),
    "POST /vouchers/programmes/{programme_id}/resume": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme"
    ),
    "POST /vouchers/programmes/{programme_id}/suspend": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme"
    ),
    "POST /vouchers/providers": Write(may(), "a new object (in the actor's own scope)"),
    "POST /vouchers/providers/{provider_id}/decision": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo provider", validates_first=True
    ),
    "POST /vouchers/providers/{provider_id}/services": Write(may("admin", "provider"), "the demo provider"),
    "DELETE /vouchers/providers/{provider_id}/services/{service_id}": Write(
        may("admin", "provider"), "a service of the demo provider"
    ),
    "PUT /vouchers/providers/{provider_id}/services/{service_id}": Write(
        may("admin", "provider"), "a service of the demo provider"
    ),
    "POST /vouchers/vouchers/{voucher_id}/cancel": Write(
        may("admin", "agency-admin", "manager"), "the demo enterprise's voucher"
    ),
    "POST /finance/pools": Write(may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"),
    "POST /finance/pools/{pool_id}/fund": Write(may("admin", "agency-admin", "manager"), "the Shenzhen pool"),
    "POST /finance/pools/{pool_id}/admissions": Write(may("bank", "bank-gd"), "the Shenzhen pool"),
    "POST /finance/admissions/{admission_id}/{decision}": Write(
        may("admin", "agency-admin", "manager"), "a bank's application to the Shenzhen pool",
        kwargs={"decision": "=admit"}
    ),
    "POST /finance/admissions/{admission_id}/agreement": Write(
        may("admin", "agency-admin", "manager"), "a bank's application to the Shenzhen pool"
    ),
    "POST /finance/loans": Write(may("admin", "bank"), "a new object (in the actor's own scope)", validates_first=True),
    "POST /finance/loans/{loan_id}/{decision}": Write(
        may("admin", "agency-admin", "manager"), "a loan filed in the Shenzhen pool", kwargs={"decision": "=accept"}
    ),
    "POST /finance/loans/{loan_id}/repayments": Write(
        may("admin", "bank"), "a loan enrolled in the Shenzhen pool", kwargs={"loan_id": "loan_enrolled.pk"}
    ),
    "POST /finance/loans/{loan_id}/default": Write(
        may("admin", "bank"), "a loan enrolled in the Shenzhen pool", kwargs={"loan_id": "loan_enrolled.pk"}
    ),
    "POST /finance/claims": Write(may("admin", "bank"), "a loan of the Shenzhen pool"),
    "POST /finance/claims/{claim_id}/documents": Write(
        may("admin", "bank"), "a draft claim in the Shenzhen pool", kwargs={"claim_id": "claim_draft.pk"}
    ),
    "POST /finance/claims/{claim_id}/recoveries": Write(
        may("admin", "bank"), "a paid claim in the Shenzhen pool", kwargs={"claim_id": "claim_paid.pk"}
    ),
    "POST /finance/claims/{claim_id}/{decision}": Write(
        may("admin", "agency-admin", "manager"), "a claim under review in the Shenzhen pool",
        kwargs={"decision": "=approve"}
    ),
    # technology transfer (docs/transfer.md)
    "POST /transfer/outcomes": Write(PUBLISHERS, "a new object (in the actor's own scope)"),
    "PUT /transfer/outcomes/{outcome_id}": Write(
        may("admin", "university"), "a published outcome of the demo university"
    ),
    "POST /transfer/outcomes/{outcome_id}/{action}": Write(
        REGISTRARS, "an outcome awaiting moderation in Shenzhen",
        kwargs={"outcome_id": "outcome_submitted.pk", "action": "=approve"},
    ),
    "POST /transfer/needs": Write(ENTERPRISES, "a new object (in the actor's own scope)"),
    "POST /transfer/needs/{need_id}/close": Write(
        may("admin", "enterprise-admin", "enterprise-member"), "the demo enterprise's need"
    ),
    "POST /transfer/matches/{match_id}/interest": Write(MATCH_SIDES, "a match of the demo enterprise's need"),
    "POST /transfer/matches/{match_id}/messages": Write(MATCH_SIDES, "a match of the demo enterprise's need"),
    "POST /transfer/matches/rank-all": Write(may("admin", "agency-admin", "manager"), "every open need"),
    "POST /transfer/challenges": Write(
        may("enterprise-admin", OTHER_ENTERPRISE, "agency-admin", "manager"), "a new object (in the actor's own scope)"
    ),
    "POST /transfer/challenges/{challenge_id}/entries": Write(SOLVERS, "the open challenge of the Shenzhen agency"),
    "POST /transfer/challenges/{challenge_id}/close": Write(
        may("admin", "agency-admin", "manager"), "the open challenge of the Shenzhen agency"
    ),
    "POST /transfer/challenges/{challenge_id}/no-winner": Write(
        may("admin", "agency-admin", "manager"), "the open challenge of the Shenzhen agency"
    ),
    "POST /transfer/entries/{entry_id}/award": Write(
        may("admin", "enterprise-admin", "agency-admin", "manager"), "an entry of the demo enterprise's challenge"
    ),
    "POST /transfer/contracts": Write(SELLERS, "a new object (in the actor's own scope)"),
    "POST /transfer/contracts/{contract_id}/register": Write(
        REGISTRARS, "a technology contract awaiting registration in Shenzhen",
        kwargs={"contract_id": "tech_contract.pk"},
    ),
    "POST /transfer/contracts/{contract_id}/refuse": Write(
        REGISTRARS, "a technology contract awaiting registration in Shenzhen",
        kwargs={"contract_id": "tech_contract.pk"},
    ),
    "POST /transfer/contracts/{contract_id}/second-review": Write(
        may("admin", "agency-admin"), "a technology contract awaiting registration in Shenzhen",
        kwargs={"contract_id": "tech_contract.pk"},
    ),
    "POST /transfer/contracts/{contract_id}/amend": Write(
        may("admin", "agency-admin"), "a registered technology contract in Shenzhen",
        kwargs={"contract_id": "tech_contract_registered.pk"},
    ),
    "POST /transfer/products": Write(ENTERPRISES, "a new object (in the actor's own scope)"),
    "POST /transfer/products/{product_id}/decide": Write(REGISTRARS, "the demo enterprise's innovative product"),
}

WEB_VIEWS: dict[str, Write | Read] = {
    "instruments:catalogue": Read(),
    "instruments:instrument": Read({"pk": "instrument.pk"}),
    "instruments:photo": Read({"pk": "instrument.pk"}),
    "instruments:book": Write(SIGNED_IN, "a shared instrument of the demo provider", kwargs={"pk": "instrument.pk"}),
    "instruments:edit": Write(
        may("admin", "provider"), "a shared instrument of the demo provider", kwargs={"pk": "instrument.pk"}
    ),
    "instruments:outage_new": Write(
        may("admin", "provider"), "a shared instrument of the demo provider", kwargs={"pk": "instrument.pk"}
    ),
    "instruments:new": Write(
        may("enterprise-admin", "other-enterprise-admin", "provider"), "a new object (in the actor's own scope)"
    ),
    "instruments:manage": Read(),
    "instruments:my_bookings": Read(),
    "instruments:booking": Read({"pk": "booking.pk"}),
    "instruments:usage": Write(may("admin", "provider"), "the demo enterprise's booking", kwargs={"pk": "booking.pk"}),
    "instruments:usage_detail": Read({"pk": "usage.pk"}),
    "instruments:pay_usage": Write(may("admin", "provider"), "a usage record", kwargs={"pk": "usage.pk"}),
    "instruments:booking_action": Write(
        may("admin", "provider"), "the demo enterprise's booking", kwargs={"pk": "booking.pk", "action": "=decline"}
    ),
    "instruments:wait_action": Write(
        may("enterprise-admin"),
        "the demo enterprise's wait-list entry",
        kwargs={"pk": "wait.pk", "action": "=withdraw"},
    ),
    "instruments:statistics": Read(),
    "instruments:statistics_export": Read(),
    "evaluation:home": Read(),
    "evaluation:start": Write(
        may("admin", "enterprise-admin", "enterprise-member"), "the demo enterprise (Shenzhen, 440305)"
    ),
    "evaluation:detail": Read({"pk": "filing.pk"}),
    "evaluation:edit": Write(may("admin"), "the demo enterprise's filing", kwargs={"pk": "filing.pk"}),
    "evaluation:preview": Write(may("admin"), "the demo enterprise's filing", kwargs={"pk": "filing.pk"}),
    "evaluation:upload": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing", kwargs={"pk": "filing.pk"}
    ),
    "evaluation:document": Read({"pk": "filing.pk"}),
    "evaluation:submit": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing", kwargs={"pk": "filing.pk"}
    ),
    "evaluation:decide": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing", kwargs={"pk": "filing.pk"}
    ),
    "evaluation:onsite": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing", kwargs={"pk": "filing.pk"}
    ),
    "evaluation:register_held": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "the demo enterprise's filing", kwargs={"pk": "filing.pk"}
    ),
    "evaluation:annual_update": Write(may("admin"), "a registration in Shenzhen"),
    "evaluation:certificate": Read(),
    "evaluation:report_change": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "a registration in Shenzhen"
    ),
    "evaluation:revocation_notice": Write(
        may("admin", "agency-admin", "manager", "reviewer"), "a registration in Shenzhen"
    ),
    "evaluation:revocation_defence": Write(may("admin", "agency-admin", "manager", "reviewer"), "a revocation notice"),
    "evaluation:revocation_decide": Write(may("admin", "agency-admin", "manager", "reviewer"), "a revocation notice"),
    "evaluation:queue": Write(
        may("admin", "agency-admin", "reviewer", "reviewer-gz"), "a new object (in the actor's own scope)"
    ),
    "evaluation:follow_up": Read(),
    "evaluation:change_report_acknowledge": Write(
        may("admin", "agency-admin", "reviewer"), "a change report", kwargs={"pk": "change_report.pk"}
    ),
    "evaluation:change_report_revoke": Write(
        may("admin", "agency-admin", "reviewer"), "a change report", kwargs={"pk": "change_report.pk"}
    ),
    "evaluation:publicity": Write(may(), "a new object (in the actor's own scope)"),
    "evaluation:batch": Read({"pk": "batch.pk"}),
    "evaluation:batch_close": Write(
        may("admin", "manager"), "a publicity batch of Shenzhen", kwargs={"pk": "batch.pk"}
    ),
    "evaluation:objection_resolve": Write(may("admin", "manager"), "an objection", kwargs={"pk": "objection.pk"}),
    "evaluation:import": Write(may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"),
    "evaluation:public_publicity": Read(),
    "evaluation:public_batch": Read({"pk": "batch.pk"}),
    "evaluation:objection": Write(EVERYONE, "a publicity batch of Shenzhen", kwargs={"pk": "batch.pk"}),
    "evaluation:public_database": Read(),
    "evaluation:database_export": Read({"fmt": "=csv"}),
    "evaluation:verify_form": Read(),
    "evaluation:verify": Read({"number": "=X"}),
    "evaluation:statistics": Read(),
    "vouchers:home": Read(),
    "vouchers:verify": Read(),
    "vouchers:programme_new": Write(may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"),
    "vouchers:programme": Write(
        may("admin", "agency-admin", "manager", "reviewer"),
        "the Shenzhen voucher programme",
        kwargs={"pk": "programme.pk"},
    ),
    "vouchers:apply": Write(
        may("enterprise-admin", "enterprise-member", "other-enterprise-admin"),
        "the Shenzhen voucher programme",
        kwargs={"pk": "programme.pk"},
    ),
    "vouchers:provider_register": Write(
        may("provider"), "the Shenzhen voucher programme", kwargs={"pk": "programme.pk"}
    ),
    "vouchers:application": Write(
        may("admin", "agency-admin", "manager"), "the demo enterprise's application", kwargs={"pk": "application.pk"}
    ),
    "vouchers:voucher": Write(
        may("admin", "agency-admin", "manager"), "the demo enterprise's voucher", kwargs={"pk": "voucher.pk"}
    ),
    "vouchers:contract_new": Write(
        may("admin", "enterprise-admin", "enterprise-member"),
        "the demo enterprise's voucher",
        kwargs={"pk": "voucher.pk"},
    ),
    "vouchers:contract": Write(may(), "the demo enterprise's voucher contract", kwargs={"pk": "contract.pk"}),
    "vouchers:programme_edit": Write(
        may("admin", "agency-admin", "manager"), "the Shenzhen voucher programme", kwargs={"pk": "programme.pk"}
    ),
    "vouchers:contract_document": Read({"pk": "contract.pk"}),
    "vouchers:provider": Write(
        may("admin", "agency-admin", "manager"), "the demo provider", kwargs={"pk": "provider.pk"}
    ),
    "vouchers:service_new": Write(may("admin", "provider"), "the demo provider", kwargs={"pk": "provider.pk"}),
    "vouchers:service_edit": Write(
        may("admin", "provider"), "a service of the demo provider", kwargs={"pk": "provider.pk"}
    ),
    "vouchers:batch_export": Read({"pk": "reimbursement.pk"}),
    "incentives:index": Read(),
    "incentives:enterprise": Read({"pk": "enterprise.pk"}),
    "incentives:what_if": Write(
        may("admin", "agency-admin", "enterprise-admin", "enterprise-member", "manager", "reviewer"),
        "the demo enterprise (Shenzhen, 440305)",
        kwargs={"pk": "enterprise.pk"},
    ),
    "incentives:pdf": Read({"pk": "enterprise.pk"}),
    "incentives:notifications": Read(),
    "incentives:library": Read(),
    "incentives:parameter": Read({"path": "=rd.rate.tech_sme"}),
    "incentives:variable": Read({"name": "=x"}),
    "incentives:outreach": Read(),
    "incentives:outreach_export": Read({"fmt": "=csv"}),
    "incentives:outreach_notify": Write(
        may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"
    ),
    "incentives:scenarios": Write(may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"),
    "incentives:compare": Read(),
    "incentives:scenario": Read({"pk": "scenario.pk"}),
    "incentives:scenario_run": Write(
        may("admin", "agency-admin", "manager"), "a Shenzhen reform scenario", kwargs={"pk": "scenario.pk"}
    ),
    "incentives:scenario_export": Read({"pk": "scenario.pk"}),
    "verify": Read({"number": "=X"}),
    "web:home": Read(),
    "web:login": Write(EVERYONE, "a new object (in the actor's own scope)"),
    "web:logout": Write(EVERYONE, "a new object (in the actor's own scope)"),
    "web:dashboard": Read(),
    "web:enterprise": Read({"pk": "enterprise.pk"}),
    "web:enterprise_edit": Write(
        may("admin", "agency-admin", "enterprise-admin"),
        "the demo enterprise (Shenzhen, 440305)",
        kwargs={"pk": "enterprise.pk"},
    ),
    "web:facts": Write(
        may("admin", "agency-admin", "enterprise-admin", "enterprise-member"),
        "the demo enterprise (Shenzhen, 440305)",
        kwargs={"pk": "enterprise.pk"},
    ),
    "web:ip_new": Write(
        may("admin", "agency-admin", "enterprise-admin", "enterprise-member"),
        "the demo enterprise (Shenzhen, 440305)",
        kwargs={"pk": "enterprise.pk"},
    ),
    "web:ip_edit": Write(
        may("admin", "agency-admin", "enterprise-admin", "enterprise-member"),
        "an IP asset of the demo enterprise",
        kwargs={"pk": "enterprise.pk"},
    ),
    "web:region_change": Write(
        may("admin", "agency-admin", "enterprise-admin"),
        "the demo enterprise (Shenzhen, 440305)",
        kwargs={"pk": "enterprise.pk"},
    ),
    "web:region_change_withdraw": Write(
        may("admin", "agency-admin", "enterprise-admin"),
        "the demo enterprise's request to move to Guangzhou (440106)",
        kwargs={"pk": "enterprise.pk"},
    ),
    "web:agency": Read(),
    "web:region_changes": Read(),
    "web:region_change_decide": Write(may("admin"), "the demo enterprise's request to move to Guangzhou (440106)"),
    "web:registry_import": Write(may("admin", "agency-admin", "manager"), "a new object (in the actor's own scope)"),
    "web:registry_import_errors": Read(),
    "web:registry_export": Read({"fmt": "=csv"}),
    "web:audit": Read(),
    "web:login_unlock": Read({"token": "=not-a-token"}),
    "web:tokens": Write(SIGNED_IN, "a new object (in the actor's own scope)"),
    "web:token_revoke": Write(may("admin", "enterprise-admin"), "the enterprise administrator's API token"),
    "web:unlock_sign_in": Write(SIGNED_IN, "a new object (in the actor's own scope)"),
    "web:job": Read(),
    # finance: the detail pages dispatch on an ``action`` field (a bare POST changes nothing); the lanes of each
    # action are proven in tests/finance/test_scope_and_lanes.py and test_pages.py
    "finance:home": Read(),
    "finance:pool": Read({"pk": "pool.pk"}),
    "finance:loans": Read(),
    "finance:loan": Read({"pk": "loan.pk"}),
    "finance:claims": Read(),
    "finance:claim": Read({"pk": "claim.pk"}),
    "finance:claim_document": Read({"pk": "claim.pk", "document_pk": "=1"}),
    "finance:loan_new": Write(may("admin", "bank"), "the Shenzhen agreement of the demo bank",
                              kwargs={"agreement_pk": "agreement.pk"}),
    "finance:claim_new": Write(may("admin", "bank"), "a defaulted loan of the Shenzhen pool",
                               kwargs={"loan_pk": "loan_defaulted.pk"}),
    # technology transfer
    "transfer:home": Read(),
    "transfer:outcomes": Read(),
    "transfer:outcome_new": Write(PUBLISHERS, "a new object (in the actor's own scope)"),
    "transfer:outcome": Read({"pk": "outcome.pk"}),
    "transfer:outcome_edit": Write(
        may("admin", "university"), "a published outcome of the demo university", kwargs={"pk": "outcome.pk"}
    ),
    "transfer:outcome_action": Write(
        REGISTRARS, "an outcome awaiting moderation in Shenzhen",
        kwargs={"pk": "outcome_submitted.pk", "action": "=approve"},
    ),
    "transfer:belt_and_road": Read(),
    "transfer:moderation": Read(),
    "transfer:rank_all": Write(may("admin", "agency-admin", "manager"), "every open need"),
    "transfer:needs": Read(),
    "transfer:need_new": Write(ENTERPRISES, "a new object (in the actor's own scope)"),
    "transfer:need": Read({"pk": "need.pk"}),
    "transfer:need_edit": Write(
        may("admin", "enterprise-admin", "enterprise-member"), "the demo enterprise's need", kwargs={"pk": "need.pk"}
    ),
    "transfer:need_action": Write(
        may("admin", "enterprise-admin", "enterprise-member"), "the demo enterprise's need",
        kwargs={"pk": "need.pk", "action": "=close"},
    ),
    "transfer:match": Read({"pk": "match.pk"}),
    "transfer:match_action": Write(
        MATCH_SIDES, "a match of the demo enterprise's need", kwargs={"pk": "match.pk", "action": "=interest"}
    ),
    "transfer:mine": Read(),
    "transfer:challenges": Read(),
    "transfer:challenge_new": Write(
        may("enterprise-admin", OTHER_ENTERPRISE, "agency-admin", "manager"), "a new object (in the actor's own scope)"
    ),
    "transfer:challenge": Read({"pk": "challenge.pk"}),
    "transfer:challenge_action": Write(
        may("admin", "agency-admin", "manager"), "the open challenge of the Shenzhen agency",
        kwargs={"pk": "challenge.pk", "action": "=close"},
    ),
    "transfer:contracts": Read(),
    "transfer:contract_new": Write(SELLERS, "a new object (in the actor's own scope)"),
    "transfer:rules": Read(),
    "transfer:contract": Read({"pk": "tech_contract.pk"}),
    "transfer:certificate": Read({"pk": "tech_contract_registered.pk"}),
    "transfer:contract_action": Write(
        REGISTRARS, "a technology contract awaiting registration in Shenzhen",
        kwargs={"pk": "tech_contract.pk", "action": "=register"},
    ),
    "transfer:verify": Read({"number": "=X"}),
    "transfer:statistics": Read(),
    "transfer:brokers": Read(),
    "transfer:products": Read(),
    "transfer:product_new": Write(ENTERPRISES, "a new object (in the actor's own scope)"),
    "transfer:product_decide": Write(
        REGISTRARS, "the demo enterprise's innovative product", kwargs={"pk": "product.pk"}
    ),
    "transfer:products_export": Read({"fmt": "=csv"}),
}


def test_every_api_write_has_a_row() -> None:
    endpoints = set(api_writes())
    missing = sorted(endpoints - set(API_WRITES))
    stale = sorted(set(API_WRITES) - endpoints)
    assert not missing and not stale, f"add rows for {missing}; remove rows for {stale}"


def test_every_page_has_a_row() -> None:
    pages = set(web_views())
    missing = sorted(pages - set(WEB_VIEWS))
    stale = sorted(set(WEB_VIEWS) - pages)
    assert not missing and not stale, f"add rows for {missing}; remove rows for {stale}"


def test_documentation_lists_every_api_write() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "roles-and-scope.md").read_text(encoding="utf-8")
    assert not [key for key in API_WRITES if f"`{key}`" not in doc]


@pytest.mark.django_db
def test_every_role_writes_only_what_the_matrix_allows() -> None:
    world = build_world()
    assert set(world.users) >= set(DEMO_ROLES) - {"broker", "university", "bank-gd"}
    api_rows = {k: v for k, v in API_WRITES.items() if k in api_writes()}
    web_rows = {k: v for k, v in WEB_VIEWS.items() if k in web_views()}
    problems = run(world, api_rows, web_rows)
    from tests.write_matrix_engine import SKIPPED_STEPS

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems + SKIPPED_STEPS)
