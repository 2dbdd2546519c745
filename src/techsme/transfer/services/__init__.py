"""Every state change of technology transfer: one verb each, atomic, permission-checked, audited."""

from techsme.transfer.services.challenges import (
    do_award_challenge,
    do_close_entries,
    do_close_without_winner,
    do_enter_challenge,
    do_post_challenge,
)
from techsme.transfer.services.common import Refused
from techsme.transfer.services.contracts import (
    do_amend_contract,
    do_rate_broker,
    do_refuse_contract,
    do_register_contract,
    do_second_review,
    do_submit_contract,
)
from techsme.transfer.services.matches import (
    do_close_need,
    do_express_interest,
    do_save_need,
    do_send_message,
    match_need,
    match_outcome,
)
from techsme.transfer.services.outcomes import (
    do_approve_outcome,
    do_return_outcome,
    do_save_outcome,
    do_submit_outcome,
    do_withdraw_outcome,
)
from techsme.transfer.services.products import do_decide_product, do_submit_product

__all__ = [
    "Refused",
    "do_amend_contract",
    "do_approve_outcome",
    "do_award_challenge",
    "do_close_entries",
    "do_close_need",
    "do_close_without_winner",
    "do_decide_product",
    "do_enter_challenge",
    "do_express_interest",
    "do_post_challenge",
    "do_rate_broker",
    "do_return_outcome",
    "do_refuse_contract",
    "do_register_contract",
    "do_save_need",
    "do_save_outcome",
    "do_second_review",
    "do_send_message",
    "do_submit_contract",
    "do_submit_outcome",
    "do_submit_product",
    "do_withdraw_outcome",
    "match_need",
    "match_outcome",
]
