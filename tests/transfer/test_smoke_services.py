import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_flow(market, publish, post_need):
    from techsme.transfer.models import Match
    outcome = publish()
    need = post_need()
    m = Match.objects.get(need=need, outcome=outcome)
    print(m.score, m.reasons)
    assert m.score > 0.5
