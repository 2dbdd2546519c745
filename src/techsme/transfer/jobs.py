"""The background job that ranks every open need against every published outcome (``transfer.rank_all``)."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.jobs import ProgressFn, register_job, start_job
from techsme.core.models import Job
from techsme.transfer import corpus
from techsme.transfer.batch import Index, OutcomeRow, rank_all
from techsme.transfer.matching import GOOD_MATCH, is_good
from techsme.transfer.models import Match, Need, NeedState, Outcome, OutcomeState
from techsme.transfer.services.common import require

CHUNK = 5000


def load_index() -> Index:
    rows = (Outcome.objects.exclude(state=OutcomeState.WITHDRAWN).order_by("pk")
            .values_list("pk", "search_tokens", "industry_code", "region_code", "trl", "price_min", "price_max",
                         "negotiable", "state").iterator(chunk_size=CHUNK))
    return Index(OutcomeRow(pk, tokens, industry, region, trl, low if low is not None else high, negotiable,
                            state == OutcomeState.PUBLISHED)
                 for pk, tokens, industry, region, trl, low, high, negotiable, state in rows)


def store(results: dict[int, list[tuple[int, float, dict]]]) -> int:
    """Upsert the matches (score and reasons; interest and notification dates are kept)."""
    rows = [Match(need_id=need, outcome_id=outcome, score=score, reasons=reasons, computed_at=timezone.now())
            for need, ranked in results.items() for outcome, score, reasons in ranked]
    for start in range(0, len(rows), CHUNK):
        with transaction.atomic():
            Match.objects.bulk_create(rows[start:start + CHUNK], update_conflicts=True,
                                      unique_fields=["need", "outcome"],
                                      update_fields=["score", "reasons", "computed_at"])
    return len(rows)


@register_job("transfer.rank_all")
def run_rank_all(job: Job, report_progress: ProgressFn) -> dict[str, Any]:
    report_progress(1, _("Reading the outcomes."))
    index = load_index()
    report_progress(10, _("Index built: %(n)d outcomes.") % {"n": index.total})
    needs = [(n.pk, corpus.need_side(n)) for n in Need.objects.filter(state=NeedState.OPEN).order_by("pk")
             .only("pk", "search_tokens", "industry_code", "region_code", "min_trl", "budget").iterator(CHUNK)]

    def progress(done: int, total: int) -> None:
        report_progress(10 + 80 * done // total, _("%(done)d of %(total)d needs ranked.") % {"done": done,
                                                                                            "total": total})

    results = rank_all(index, needs, progress=progress)
    report_progress(92, _("Saving the matches."))
    stored = store(results)
    good = sum(1 for ranked in results.values() for _o, score, reasons in ranked if is_good(score, reasons))
    if job.params.get("notify", True):
        from techsme.transfer.services.matches import tell_new_matches

        with transaction.atomic():
            fresh = [m for m in Match.objects.filter(score__gte=GOOD_MATCH, notified_at__isnull=True)
                     .select_related("need__enterprise", "outcome")[:10000] if is_good(m.score, m.reasons)]
            tell_new_matches(fresh)
    return {"outcomes": index.total, "needs": len(needs), "matches": stored, "good": good}


def do_start_ranking(*, actor: Any, notify: bool = True) -> Job:
    """Start the ranking of all open needs (programme managers and agency administrators)."""
    require(actor, "transfer.match.run", None, _("You may not start the ranking of all needs."))
    with transaction.atomic():
        job = start_job(actor=actor, kind="transfer.rank_all", params={"notify": bool(notify)})
        audit.record(actor=actor, verb="transfer.start_ranking", obj=job, changes={"notify": notify})
    return job
