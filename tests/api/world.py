"""A small seeded world for the API tests: the demo registry (few enterprises), its users, instruments, vouchers,
filings in several states, and a personal API token for each role under test."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

# role label -> demo username (None: anonymous)
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "enterprise admin": "enterprise-admin",
    "reviewer": "reviewer",
    "programme manager": "manager",
    "agency admin": "agency-admin",
    "provider": "provider",
    "superuser": "admin",
}


def seed_world(enterprises: int = 60) -> dict:
    from techsme.accounts.models import User
    from techsme.accounts.services import do_create_api_token
    from techsme.evaluation import services as evaluation
    from techsme.evaluation.models import EvaluationYear
    from techsme.instruments.demo import seed_instruments
    from techsme.registry.demo import DEMO_ENTERPRISE_NAME, seed_demo
    from techsme.registry.models import Enterprise
    from techsme.vouchers.demo import seed_vouchers_demo

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        seed_demo(enterprises=enterprises)
        seed_instruments(42)
        _keep_few_usage_records()
        seed_vouchers_demo()
        root = User.objects.get(username="admin")
        year = timezone.localdate().year
        EvaluationYear.objects.get_or_create(year=year)
        demo = Enterprise.objects.get(name=DEMO_ENTERPRISE_NAME)
        evaluation.do_start_filing(actor=root, enterprise=demo, year=year)
        for other in Enterprise.objects.filter(region_code__startswith="4403").exclude(pk=demo.pk).order_by("pk")[:2]:
            filing = evaluation.do_start_filing(actor=root, enterprise=other, year=year)
            evaluation.do_submit_filing(actor=root, filing=filing, attestation=True)
    headers: dict[str, dict[str, str]] = {}
    for role, username in ROLES.items():
        if username is None:
            headers[role] = {}
            continue
        _token, key = do_create_api_token(actor=User.objects.get(username=username), name=f"fuzz {role}")
        headers[role] = {"Authorization": f"Bearer {key}"}
    return {"headers": headers, "year": year, "expires": timezone.now() + timedelta(days=1)}


def _keep_few_usage_records(keep: int = 40) -> None:
    """The instruments demo records thousands of sessions; a few are enough here and keep statistics fast."""
    from techsme.instruments.models import UsageRecord

    kept = list(UsageRecord.objects.order_by("pk").values_list("pk", flat=True)[:keep])
    UsageRecord.objects.exclude(pk__in=kept).delete()
