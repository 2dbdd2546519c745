"""A random walk through every verb: whatever succeeds or is refused, money is conserved and never overspent."""

import random
from decimal import Decimal

import pytest

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.ledger import verify_balances
from techsme.core.models import LedgerAccount
from techsme.vouchers import selectors
from techsme.vouchers import services as s
from techsme.vouchers.models import Contract, Voucher
from tests.vouchers.conftest import key

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_walk_conserves_money(world, seed):
    w = world
    rng = random.Random(seed)
    companies = [(w.enterprise, w.ent_user), (w.other, w.other_user)]

    def amount(low: int, high: int) -> str:
        return f"{rng.randint(low, high)}.{rng.randint(0, 99):02d}"

    def step() -> None:
        op = rng.choice(["issue", "issue", "contract", "redeem", "deliver", "verify", "refund", "cancel_contract",
                         "cancel_voucher", "reimburse"])
        vouchers = list(Voucher.objects.filter(state="active"))
        contracts = list(Contract.objects.all())
        if op == "issue":
            enterprise, user = rng.choice(companies)
            application = s.do_apply(actor=user, programme_id=w.programme.pk, enterprise_id=enterprise.pk,
                                     amount=amount(1, 25000), purpose="walk", submission_key=key())
            s.do_decide_application(actor=w.manager, application_id=application.pk, approve=rng.random() < 0.8,
                                    reason="walk")
        elif op == "contract" and vouchers:
            v = rng.choice(vouchers)
            user = w.ent_user if v.enterprise_id == w.enterprise.pk else w.other_user
            s.do_record_contract(actor=user, voucher_id=v.pk, provider_id=w.provider.pk, category="testing",
                                 amount=amount(1, 30000), description="walk", submission_key=key())
        elif contracts:
            c = rng.choice(contracts)
            if op == "redeem":
                s.do_redeem(actor=w.lab_user, contract_id=c.pk, voucher_code=c.voucher.code,
                            amount=amount(1, 9000) if rng.random() < 0.5 else None)
            elif op == "deliver":
                s.do_confirm_delivery(actor=w.lab_user, contract_id=c.pk, report="EMC test report 2026-001")
            elif op == "verify":
                s.do_verify_contract(actor=w.reviewer, contract_id=c.pk)
            elif op == "refund":
                s.do_refund_contract(actor=w.manager, contract_id=c.pk, amount=amount(1, 3000), reason="walk",
                                     request_key=key())
            elif op == "cancel_contract":
                s.do_cancel_contract(actor=w.manager, contract_id=c.pk, reason="walk")
            elif op == "cancel_voucher":
                s.do_cancel_voucher(actor=w.manager, voucher_id=c.voucher_id, reason="walk")
            elif op == "reimburse":
                s.do_reimburse(actor=w.manager, programme_id=w.programme.pk, period=s.current_period())

    refused = 0
    for _ in range(60):
        try:
            step()
        except (Conflict, InvalidInput):
            refused += 1
        f = selectors.programme_figures(w.programme)
        assert f.funded == D("100000.00")
        assert f.used + f.committed + f.free == f.funded
        assert f.free >= 0 and f.committed >= 0 and f.used >= 0
    net = sum((c.net_amount for c in Contract.objects.filter(voucher__programme=w.programme)), D(0))
    assert net == selectors.programme_figures(w.programme).used
    assert not LedgerAccount.objects.filter(balance__lt=0, allow_negative=False).exists()
    assert verify_balances() == []
    assert refused < 60
