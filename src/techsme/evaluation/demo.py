"""Demo filings in every state of the evaluation process, walked through the real service verbs.

Call ``seed_evaluation_demo()`` after ``registry.demo.seed_demo()`` (it uses the demo agencies and users, and the
Shenzhen and Guangzhou enterprises). The demo enterprise itself (``registry.demo.DEMO_ENTERPRISE_NAME``) is left
without a filing for this year, so the browser journey can start one.

Enterprises are drawn by their assessment: only those that pass every criterion are accepted, published and
registered; failing ones are rejected or wait in the queue — except one, accepted by the agency administrator's
recorded override with its reason. One filing of the closed batch is held at the close: the enterprise was listed
for serious dishonesty during its publicity.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from techsme.accounts.models import Organisation, User
from techsme.evaluation import criteria
from techsme.evaluation import services as s
from techsme.evaluation.models import EvaluationYear, Filing, Registration
from techsme.registry.models import AnnualFacts, Enterprise

# How many filings of this year end in each state (Shenzhen unless noted).
PLAN = {
    "draft": 2,
    "submitted": 5,
    "submitted_gz": 3,
    "returned": 1,
    "accepted": 2,
    "rejected": 1,
    "in_publicity": 3,
    "registered": 5,
    "held": 1,  # no longer passes at the close of publicity
    "overridden": 1,  # fails a criterion, accepted by the agency administrator's override
    "objection_upheld": 1,
    "revoked": 1,
    "revocation_pending": 1,
    "imported": 1,  # received offline, waiting for the routing job
}
LAST_YEAR_REGISTERED = 4  # registered last year: one renewed, the others lapse (after 31 March)


def _user(username: str) -> User:
    return User.objects.get(username=username)


class _Pool:
    """Enterprises in order, handed out as passing or failing the criteria on their facts of ``facts_year``."""

    def __init__(self, enterprises: Iterator[Enterprise]) -> None:
        self.enterprises = enterprises
        self.waiting: dict[tuple[int, bool], list[Enterprise]] = {}

    @staticmethod
    def _passes(enterprise: Enterprise, facts_year: int) -> bool:
        from techsme.registry.selectors import facts_record
        from techsme.rules import assess_records

        facts = AnnualFacts.objects.filter(enterprise=enterprise, tax_year=facts_year).first()
        if facts is None:
            return False
        return not criteria.of_result(assess_records([facts_record(enterprise, facts)])[0])

    def take(self, facts_year: int, passing: bool = True) -> Enterprise:
        waiting = self.waiting.setdefault((facts_year, passing), [])
        if waiting:
            return waiting.pop(0)
        for enterprise in self.enterprises:
            if self._passes(enterprise, facts_year) == passing:
                return enterprise
            self.waiting.setdefault((facts_year, not passing), []).append(enterprise)
        raise LookupError(f"no {'passing' if passing else 'failing'} demo enterprise left for {facts_year}")


def seed_evaluation_demo(*, today: date | None = None) -> dict[str, int]:
    """Create the demo filings (nothing when filings exist already). Returns the count of filings per state."""
    if Filing.objects.exists():
        return {}
    from techsme.registry.demo import AGENCY_ADMIN, DEMO_ENTERPRISE_NAME, MANAGER, REVIEWER, SUPERUSER

    today = today or timezone.localdate()
    year = today.year
    root, reviewer = _user(SUPERUSER), _user(REVIEWER)
    manager, agency_admin = _user(MANAGER), _user(AGENCY_ADMIN)  # province programme manager, city administrator
    province = Organisation.objects.get(kind="agency", region_code="440000")
    EvaluationYear.objects.get_or_create(year=year)
    EvaluationYear.objects.get_or_create(year=year - 1)
    shenzhen = Enterprise.objects.filter(region_code__startswith="4403").exclude(name=DEMO_ENTERPRISE_NAME)
    sz = _Pool(iter(shenzhen.order_by("pk")))
    sz_last_year = _Pool(iter(shenzhen.order_by("-pk")))  # last year's filings may come from the same enterprises
    gz = _Pool(iter(Enterprise.objects.filter(region_code__startswith="4401").order_by("pk")))

    def submitted(pool: _Pool, filing_year: int = year, passing: bool = True) -> Filing:
        enterprise = pool.take(filing_year - 1, passing)
        filing = s.do_start_filing(actor=root, enterprise=enterprise, year=filing_year, today=today)
        return s.do_submit_filing(actor=root, filing=filing, attestation=True)

    def accepted(pool: _Pool, by: User, filing_year: int = year) -> Filing:
        filing = submitted(pool, filing_year)
        if filing.needs_onsite_check:
            s.do_record_onsite_check(actor=by, filing=filing, result="passed",
                                     notes="现场核查：研发场地、人员与申报一致。")
        return s.do_decide_filing(actor=by, filing=filing, decision="accept")

    def registered(n: int, filing_year: int, pool: _Pool) -> list[Registration]:
        filings = [accepted(pool, reviewer, filing_year) for _ in range(n)]
        published = today - timedelta(days=40)
        batch = s.do_publish_batch(actor=manager, agency=province, filing_ids=[f.pk for f in filings],
                                   published_on=published)
        return s.do_close_batch(actor=manager, batch=batch, today=today)

    # E-mails of the demo steps are not printed on the console.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        for _ in range(PLAN["draft"]):
            s.do_start_filing(actor=root, enterprise=sz.take(year - 1, passing=False), year=year,
                              today=today)
        for index in range(PLAN["submitted"]):
            submitted(sz, passing=index % 2 == 1)  # the queue holds failing filings too, marked as such
        for _ in range(PLAN["submitted_gz"]):
            submitted(gz)
        for _ in range(PLAN["returned"]):
            s.do_decide_filing(actor=reviewer, filing=submitted(sz), decision="return",
                               reason="研发费用明细与财务报表不一致，请核对后重新提交。")
        for _ in range(PLAN["accepted"]):
            accepted(sz, reviewer)
        for _ in range(PLAN["rejected"]):
            s.do_decide_filing(actor=reviewer, filing=submitted(sz, passing=False), decision="reject",
                               reason="经审核，企业不符合科技型中小企业评价条件。")
        for _ in range(PLAN["overridden"]):
            s.do_decide_filing(actor=agency_admin, filing=submitted(sz, passing=False), decision="accept",
                               override=True, override_reason="企业已提交补充材料，经局务会研究同意按例外情形受理。")
        # Last year's registrations: one renewed, the rest lapse once 31 March has passed.
        last_year = registered(LAST_YEAR_REGISTERED, year - 1, sz_last_year)
        if today > s.annual_update_deadline(year - 1):
            Registration.objects.filter(pk=last_year[0].pk).update(annual_update_at=timezone.now())
            s.do_lapse_registrations(actor=None, year=year - 1, today=today)
        # This year: a closed batch with an upheld objection, and registrations to revoke.
        filings = [accepted(sz, reviewer) for _ in range(PLAN["registered"] + PLAN["objection_upheld"]
                                                         + PLAN["revoked"] + PLAN["revocation_pending"]
                                                         + PLAN["held"])]
        batch = s.do_publish_batch(actor=manager, agency=province, filing_ids=[f.pk for f in filings],
                                   published_on=today - timedelta(days=30))
        doubtful = filings[-1]
        objection = s.do_lodge_objection(batch=batch, filing=doubtful, name="李先生", contact="13800000000",
                                         text="该企业科技人员数量与社保缴纳记录不符。", today=batch.published_on)
        s.do_resolve_objection(actor=manager, objection=objection, decision="uphold",
                               resolution="经核查社保记录，异议属实。")
        # During the publicity, the registry learns that one enterprise was listed for serious dishonesty.
        from techsme.registry.services import do_save_facts

        for filing in filings[-1 - PLAN["held"]:-1]:
            do_save_facts(actor=root, enterprise_id=filing.enterprise_id, tax_year=filing.facts_year,
                          values={"serious_dishonesty": True})
        closed = s.do_close_batch(actor=manager, batch=batch, today=today)
        for registration in closed[: PLAN["revoked"]]:
            revocation = s.do_revoke_notice(actor=agency_admin, registration=registration, ground="fraud",
                                            notice_text="经核查，企业申报的研发费用存在虚报。",
                                            today=today - timedelta(days=25))
            s.do_revoke_decide(actor=agency_admin, revocation=revocation, decision="revoked",
                               reason="企业在期限内未提出陈述申辩。", today=today)
        for registration in closed[PLAN["revoked"]: PLAN["revoked"] + PLAN["revocation_pending"]]:
            s.do_revoke_notice(actor=agency_admin, registration=registration, ground="conditions_not_met",
                               notice_text="企业年度数据显示销售收入已超过规模上限。", today=today)
        # A change report waiting for the agency's review (the follow-up page).
        reporting = closed[PLAN["revoked"] + PLAN["revocation_pending"]]
        s.do_report_change(actor=root, registration=reporting, kind="major", changed_on=today - timedelta(days=20),
                           description="企业出售了研发部门，科技人员减少一半。", today=today)
        # An open publicity batch, one objection waiting.
        filings = [accepted(sz, reviewer) for _ in range(PLAN["in_publicity"])]
        batch = s.do_publish_batch(actor=manager, agency=province, filing_ids=[f.pk for f in filings],
                                   published_on=today)
        s.do_lodge_objection(batch=batch, filing=filings[0], name="匿名", contact="objection@example.cn",
                             text="请核实该企业知识产权的权属。", today=today)
        # Filings received on paper and imported, not yet routed into the queue (the import page offers to).
        from techsme.registry.selectors import facts_record

        offline = []
        for _ in range(PLAN["imported"]):
            enterprise = sz.take(year - 1, passing=False)
            facts = (AnnualFacts.objects.filter(enterprise=enterprise, tax_year=year - 1).first()
                     or AnnualFacts(enterprise=enterprise, tax_year=year - 1))
            offline.append((enterprise, year, facts_record(enterprise, facts)))
        s.do_receive_offline_filings(actor=root, entries=offline)
    return dict(Counter(Filing.objects.values_list("state", flat=True)))

