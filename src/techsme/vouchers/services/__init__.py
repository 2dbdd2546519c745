"""Every state change of the voucher process: one verb per step, atomic, scope-checked, audited, on the ledger.

The verbs live in one module per group: ``programmes`` (create, fund, recognise, edit, suspend, resume, close),
``applications`` (apply, decide — issuing the voucher), ``voucher_lifecycle`` (cancel, expire), ``providers``
(register, decide), ``contracts`` (record, redeem, deliver, verify, withdraw, refund, cancel), ``reimbursement``
(pay providers in batches); ``criteria`` holds the checks a decision rests on and ``common`` the shared helpers.
This package re-exports the verbs, so ``from techsme.vouchers import services as s; s.do_apply(...)`` keeps working.

Money moves only through ``core.ledger`` (see docs/ledger.md for the legs); each verb derives its idempotency key from
the domain object (``application:12:issue``, ``contract:7:redeem``, ``voucher:3:expire``) or from the request (a form
token / ``Idempotency-Key`` header for new applications, contracts and refunds), so a double-submitted form or a
retried API call applies once. Lock order everywhere: voucher → contract/application → enterprise → ledger accounts.
"""

from techsme.vouchers.services.applications import do_apply, do_decide_application
from techsme.vouchers.services.common import (
    CENT,
    ZERO,
    DuplicateSubmission,
    accepts,
    actor_roles,
    parse_amount,
)
from techsme.vouchers.services.contracts import (
    allowed_redemption,
    do_cancel_contract,
    do_confirm_delivery,
    do_record_contract,
    do_redeem,
    do_refund_contract,
    do_verify_contract,
    do_withdraw_contract,
)
from techsme.vouchers.services.programmes import (
    EDITABLE,
    do_close_programme,
    do_create_programme,
    do_edit_programme,
    do_fund_programme,
    do_resume_programme,
    do_set_recognition,
    do_suspend_programme,
    return_budget_to_source,
)
from techsme.vouchers.services.providers import do_add_provider_service, do_decide_provider, do_register_provider
from techsme.vouchers.services.reimbursement import current_period, do_reimburse, parse_period, reimbursement_preview
from techsme.vouchers.services.voucher_lifecycle import do_cancel_voucher, do_expire_voucher, expire_due_vouchers

__all__ = [
    "CENT", "EDITABLE", "ZERO", "DuplicateSubmission", "accepts", "actor_roles", "allowed_redemption",
    "current_period", "do_add_provider_service", "do_apply", "do_cancel_contract", "do_cancel_voucher",
    "do_close_programme", "do_confirm_delivery", "do_create_programme", "do_decide_application",
    "do_decide_provider", "do_edit_programme", "do_expire_voucher", "do_fund_programme", "do_record_contract",
    "do_redeem", "do_refund_contract", "do_register_provider", "do_reimburse", "do_resume_programme",
    "do_set_recognition", "do_suspend_programme", "do_verify_contract", "do_withdraw_contract",
    "expire_due_vouchers", "parse_amount", "parse_period", "reimbursement_preview", "return_budget_to_source",
]
