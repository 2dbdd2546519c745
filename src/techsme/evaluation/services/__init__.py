"""Every state change of the evaluation process: one verb per transition, atomic, scope-checked, audited.

Each verb locks the rows it changes (in id order when there are several), checks the caller's scope
(``core.permissions.can``) and the state table (``evaluation.workflows``), writes the change, a ``FilingDecision``
row and an audit event in the same transaction, and sends notification e-mails only after the commit.

The verbs live in one module per group (``filing``, ``onsite``, ``review``, ``publicity``, ``registration``,
``revocation``, ``offline``; shared helpers in ``common``); this package re-exports them, so
``from techsme.evaluation.services import do_decide_filing`` and ``services.do_…`` keep working.
"""

from techsme.evaluation.services.closing import do_register_held
from techsme.evaluation.services.common import AGENCY_NOTIFIED_ROLES, agency_recipients
from techsme.evaluation.services.filing import (
    barring_revocation,
    do_add_supporting_document,
    do_start_filing,
    do_submit_filing,
    do_update_filing_facts,
    document_errors,
)
from techsme.evaluation.services.offline import do_receive_offline_filings, do_route_imported_filings
from techsme.evaluation.services.onsite import do_record_onsite_check, onsite_reasons
from techsme.evaluation.services.publicity import (
    PUBLICITY_WORKDAYS,
    do_close_batch,
    do_lodge_objection,
    do_publish_batch,
    do_resolve_objection,
)
from techsme.evaluation.services.registration import (
    annual_update_deadline,
    change_report_deadline,
    do_acknowledge_change_report,
    do_lapse_registrations,
    do_record_annual_update,
    do_report_change,
)
from techsme.evaluation.services.review import do_decide_batch, do_decide_filing
from techsme.evaluation.services.revocation import (
    DEFENCE_WORKDAYS,
    FRAUD_BAR_YEARS,
    do_revoke_decide,
    do_revoke_defence,
    do_revoke_from_change_report,
    do_revoke_notice,
)

__all__ = [
    "AGENCY_NOTIFIED_ROLES", "DEFENCE_WORKDAYS", "FRAUD_BAR_YEARS", "PUBLICITY_WORKDAYS", "agency_recipients",
    "annual_update_deadline", "barring_revocation", "change_report_deadline", "do_acknowledge_change_report",
    "do_add_supporting_document", "do_close_batch", "do_decide_batch", "do_decide_filing", "do_lapse_registrations",
    "do_lodge_objection", "do_publish_batch", "do_receive_offline_filings", "do_record_annual_update",
    "do_record_onsite_check", "do_register_held", "do_report_change", "do_resolve_objection", "do_revoke_decide",
    "do_revoke_defence",
    "do_revoke_from_change_report", "do_revoke_notice", "do_route_imported_filings", "do_start_filing",
    "do_submit_filing", "do_update_filing_facts", "document_errors", "onsite_reasons",
]
