"""Every state change of the finance module, one verb each (see docs/finance.md)."""

from techsme.finance.services.claims import (
    approve_many,
    do_add_claim_document,
    do_approve_claim,
    do_approve_claims_batch,
    do_create_claim,
    do_first_review,
    do_pay_claim,
    do_record_recovery,
    do_reject_claim,
    do_return_claim,
    do_submit_claim,
    do_update_claim,
    do_withdraw_claim,
)
from techsme.finance.services.common import CriteriaNotMet
from techsme.finance.services.extras import (
    do_create_subsidy_programme,
    do_give_listing_consent,
    do_open_listing_track,
    do_pay_subsidy,
    do_record_exit,
    do_record_fund,
    do_record_investment,
    do_update_listing_track,
)
from techsme.finance.services.loans import (
    do_accept_loan,
    do_create_loan,
    do_file_loan,
    do_record_repayment,
    do_refuse_loan,
    do_report_default,
    do_return_loan,
    do_update_loan,
    do_withdraw_loan,
)
from techsme.finance.services.pools import (
    do_admit_bank,
    do_apply_admission,
    do_create_pool,
    do_fund_pool,
    do_refuse_admission,
    do_resume_agreement,
    do_sign_agreement,
    do_suspend_agreement,
    do_withdraw_admission,
)

__all__ = [
    "CriteriaNotMet", "approve_many", "do_accept_loan",
    "do_add_claim_document", "do_admit_bank",
    "do_apply_admission", "do_approve_claim", "do_approve_claims_batch", "do_create_claim", "do_create_loan",
    "do_create_pool",
    "do_file_loan", "do_first_review", "do_fund_pool", "do_pay_claim", "do_record_recovery", "do_record_repayment",
    "do_refuse_admission", "do_refuse_loan", "do_reject_claim", "do_report_default", "do_resume_agreement",
    "do_return_claim", "do_return_loan", "do_sign_agreement", "do_submit_claim", "do_suspend_agreement",
    "do_update_claim", "do_create_subsidy_programme", "do_give_listing_consent", "do_open_listing_track",
    "do_pay_subsidy", "do_record_exit", "do_record_fund", "do_record_investment", "do_update_listing_track",
    "do_update_loan", "do_withdraw_admission", "do_withdraw_claim", "do_withdraw_loan",
]
