"""Demo filings in every state of the evaluation process, walked through the real service verbs.

Call ``seed_evaluation_demo()`` after ``registry.demo.seed_demo()`` (it uses the demo agencies and users, and the
Shenzhen and Guangzhou enterprises). The demo enterprise itself (``registry.demo.DEMO_ENTERPRISE_NAME``) is left
without a filing for this year, so the browser journey can start one.
"""

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from techsme.accounts.models import Organisation, User
from techsme.evaluation import services as s
from techsme.evaluation.models import EvaluationYear, Filing, Registration
from techsme.registry.models import Enterprise

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
    "objection_upheld": 1,
    "revoked": 1,
    "revocation_pending": 1,
    "imported": 1,  # received offline, waiting for the routing job
}
LAST_YEAR_REGISTERED = 4  # registered last year: one renewed, the others lapse (after 31 March)


def _user(username: str) -> User:
    return User.objects.get(username=username)


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
    sz = iter(Enterprise.objects.filter(region_code__startswith="4403").exclude(name=DEMO_ENTERPRISE_NAME)
              .order_by("pk"))
    gz = iter(Enterprise.objects.filter(region_code__startswith="4401").order_by("pk"))

    def submitted(pool, filing_year: int = year) -> Filing:
        filing = s.do_start_filing(actor=root, enterprise=next(pool), year=filing_year, today=today)
        return s.do_submit_filing(actor=root, filing=filing, attestation=True)

    def accepted(pool, by: User, filing_year: int = year) -> Filing:
        filing = submitted(pool, filing_year)
        if filing.needs_onsite_check:
            s.do_record_onsite_check(actor=by, filing=filing, result="passed",
                                     notes="现场核查：研发场地、人员与申报一致。")
        return s.do_decide_filing(actor=by, filing=filing, decision="accept")

    def registered(n: int, filing_year: int = year) -> list[Registration]:
        filings = [accepted(sz, reviewer, filing_year) for _ in range(n)]
        published = today - timedelta(days=40)
        batch = s.do_publish_batch(actor=manager, agency=province, filing_ids=[f.pk for f in filings],
                                   published_on=published)
        return s.do_close_batch(actor=manager, batch=batch, today=today)

    # E-mails of the demo steps are not printed on the console.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        for _ in range(PLAN["draft"]):
            s.do_start_filing(actor=root, enterprise=next(sz), year=year, today=today)
        for _ in range(PLAN["submitted"]):
            submitted(sz)
        for _ in range(PLAN["submitted_gz"]):
            submitted(gz)
        for _ in range(PLAN["returned"]):
            s.do_decide_filing(actor=reviewer, filing=submitted(sz), decision="return",
                               reason="研发费用明细与财务报表不一致，请核对后重新提交。")
        for _ in range(PLAN["accepted"]):
            accepted(sz, reviewer)
        for _ in range(PLAN["rejected"]):
            s.do_decide_filing(actor=reviewer, filing=submitted(sz), decision="reject",
                               reason="企业所属行业为负面清单行业，不符合评价条件。")
        # Last year's registrations: one renewed, the rest lapse once 31 March has passed.
        last_year = registered(LAST_YEAR_REGISTERED, year - 1)
        if today > s.annual_update_deadline(year - 1):
            Registration.objects.filter(pk=last_year[0].pk).update(annual_update_at=timezone.now())
            s.do_lapse_registrations(actor=None, year=year - 1, today=today)
        # This year: a closed batch with an upheld objection, and registrations to revoke.
        filings = [accepted(sz, reviewer) for _ in range(PLAN["registered"] + PLAN["objection_upheld"]
                                                         + PLAN["revoked"] + PLAN["revocation_pending"])]
        batch = s.do_publish_batch(actor=manager, agency=province, filing_ids=[f.pk for f in filings],
                                   published_on=today - timedelta(days=30))
        doubtful = filings[-1]
        objection = s.do_lodge_objection(batch=batch, filing=doubtful, name="李先生", contact="13800000000",
                                         text="该企业科技人员数量与社保缴纳记录不符。", today=batch.published_on)
        s.do_resolve_objection(actor=manager, objection=objection, decision="uphold",
                               resolution="经核查社保记录，异议属实。")
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
        from techsme.registry.models import AnnualFacts
        from techsme.registry.selectors import facts_record

        offline = []
        for _ in range(PLAN["imported"]):
            enterprise = next(sz)
            facts = (AnnualFacts.objects.filter(enterprise=enterprise, tax_year=year - 1).first()
                     or AnnualFacts(enterprise=enterprise, tax_year=year - 1))
            offline.append((enterprise, year, facts_record(enterprise, facts)))
        s.do_receive_offline_filings(actor=root, entries=offline)
    return dict(Counter(Filing.objects.values_list("state", flat=True)))

