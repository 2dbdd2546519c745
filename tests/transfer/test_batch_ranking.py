"""The background ranking gives the same scores and reasons as a single refresh, runs as a real job with progress,
and keeps what the sides said (interest) when it overwrites scores."""

import pytest
from django.core.exceptions import PermissionDenied

from techsme.core.jobs import run_job
from techsme.core.models import Job
from techsme.transfer import services
from techsme.transfer.batch import rank_all
from techsme.transfer.corpus import need_side
from techsme.transfer.demo_text import TOPICS, need_text, outcome_text
from techsme.transfer.jobs import do_start_ranking, load_index
from techsme.transfer.models import Match, Need, Outcome
from tests.transfer.conftest import OUTCOME

pytestmark = pytest.mark.django_db(transaction=True)


def _corpus(market, post_need, publish):
    import random

    rng = random.Random(3)
    for index in range(40):
        topic = TOPICS[index % 8]
        title, summary, keywords = outcome_text(topic, rng)
        publish(title_zh=title, summary_zh=summary * 2, keywords=keywords, industry_code=topic.industry,
                title_en="", summary_en="")
    needs = []
    for topic in TOPICS[:8]:
        title, summary = need_text(topic, rng)
        needs.append(post_need(title=title, summary=summary, keywords="", industry_code=topic.industry,
                               details=""))
    return needs


def test_batch_and_single_refresh_agree(market, publish, post_need):
    needs = _corpus(market, post_need, publish)
    index = load_index()
    assert index.total == Outcome.objects.count() == 40
    batch = rank_all(index, [(n.pk, need_side(Need.objects.get(pk=n.pk))) for n in needs])
    compared = 0
    for need in needs:
        stored = {m.outcome_id: m for m in Match.objects.filter(need=need)}
        assert {o for o, _s, _r in batch[need.pk]} == set(stored)
        for outcome, score, reasons in batch[need.pk]:
            if outcome in stored:
                assert score == pytest.approx(stored[outcome].score, abs=1e-9)
                assert reasons["terms"] == stored[outcome].reasons["terms"]
                compared += 1
    assert compared >= 10


def test_the_job_reports_progress_and_keeps_interest(market, publish, post_need):
    outcome = publish()
    need = post_need()
    match = Match.objects.get(need=need, outcome=outcome)
    services.do_express_interest(actor=market["buyer_admin"], match_id=match.pk)
    with pytest.raises(PermissionDenied):
        do_start_ranking(actor=market["buyer_admin"])
    job = do_start_ranking(actor=market["sz_admin"], notify=False)
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert job.result["needs"] == 1 and job.result["matches"] >= 1
    match.refresh_from_db()
    assert match.need_interest_at is not None and match.score > 0.5
    assert OUTCOME["title_zh"] == match.outcome.title_zh
