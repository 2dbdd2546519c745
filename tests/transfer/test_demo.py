"""The transfer demo: built once through the verbs, matched, with an awarded and an open challenge, and registered
contracts that give the demo enterprise its technology-transfer income and so its EIT exemption."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_builds_once_and_feeds_the_transfer_exemption():
    from techsme.incentives.consultation import consult
    from techsme.registry.demo import DEMO_ENTERPRISE_NAME, seed_demo
    from techsme.registry.models import Enterprise
    from techsme.registry.selectors import facts_record
    from techsme.transfer.demo import seed_transfer
    from techsme.transfer.models import (
        Challenge,
        ChallengeState,
        ContractState,
        Match,
        Need,
        Outcome,
        OutcomeState,
        TechContract,
    )

    seed_demo(enterprises=60, seed=42)
    report = seed_transfer()
    assert report["created"] is True
    assert seed_transfer() == {"created": False}  # idempotent
    published = Outcome.objects.filter(state=OutcomeState.PUBLISHED).count()
    assert 250 <= published < 300
    assert Outcome.objects.filter(state=OutcomeState.SUBMITTED).exists()
    assert Outcome.objects.filter(state=OutcomeState.REJECTED).count() == 1
    assert Outcome.objects.filter(belt_and_road=True).exclude(title_en="").exists()
    assert Need.objects.count() == 40
    assert Match.objects.filter(score__gte=0.5).count() >= 20
    assert set(Challenge.objects.values_list("state", flat=True)) == {ChallengeState.AWARDED, ChallengeState.OPEN}
    assert TechContract.objects.filter(state=ContractState.REGISTERED).count() == 3
    assert TechContract.objects.filter(state=ContractState.SUBMITTED).count() == 1

    demo = Enterprise.objects.get(name=DEMO_ENTERPRISE_NAME)
    own = TechContract.objects.get(seller=demo.organisation)
    facts = demo.facts.get(tax_year=own.signed_on.year)
    assert facts.tech_transfer_income == own.tech_amount
    result, incentives = consult(facts_record(demo, facts))
    transfer = next(i for i in incentives if i.key == "tech_transfer")
    assert transfer.status == "eligible" and transfer.amount > 0
