"""Shared fixtures: organisations, users of every role, enterprises — all real rows in the test database."""

import itertools
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("TECHSME_ENV", "test")

PASSWORD = "Test-pass-2026!"
_serials = itertools.count(1)


def _use_file_test_database() -> None:
    """On SQLite, test in a file database rather than the shared in-memory one.

    Concurrency tests (ledger, registration numbers, bookings) use threads with their own connections; SQLite's
    in-memory test database fails concurrent writers at once ("database table is locked") instead of letting them
    wait, while a file database (WAL, IMMEDIATE transactions, 30 s timeout) behaves like production. It lives in
    /dev/shm when available, named after the process so parallel runs do not collide; Django deletes it at the end.
    """
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] != "django.db.backends.sqlite3":
        return
    test = settings_dict.setdefault("TEST", {})
    if not test.get("NAME"):
        folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
        test["NAME"] = str(folder / f"techsme-test-{os.getpid()}.sqlite3")


def pytest_configure(config: pytest.Config) -> None:
    _use_file_test_database()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    _use_file_test_database()


@pytest.fixture(autouse=True)
def _clean_cache_and_media(request: pytest.FixtureRequest, settings, tmp_path) -> Iterator[None]:  # noqa: ANN001
    """Every database test starts with an empty cache (no login failures or rate-limit counts from an earlier
    test) and writes uploads to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in ("transactional_db", "live_server", "db", "_django_db_helper"):
        if name in request.fixturenames:
            request.getfixturevalue(name)  # the database first, then the cache table in it
            from django.core.cache import cache

            cache.clear()
            break
    yield


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (Playwright's sync API allows one instance per thread).

    Missing Chromium skips the browser tests with a notice, or fails them when TECHSME_REQUIRE_BROWSER=1 (CI).
    """
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}; browser tests need it (apt-get install chromium)."
        if os.environ.get("TECHSME_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django must allow its ORM calls here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def make_org(db) -> Callable:
    from techsme.accounts.models import Organisation

    def make(kind: str = "agency", region_code: str = "440300", level: str = "", name: str = "") -> Organisation:
        if kind == "agency" and not level:
            level = "city"
        return Organisation.objects.create(
            kind=kind, region_code=region_code, level=level if kind == "agency" else "",
            name=name or f"{kind} {region_code} {next(_serials)}",
        )

    return make


@pytest.fixture
def make_user(db) -> Callable:
    from techsme.accounts.models import Membership, User

    def make(role: str, org, username: str = "", **extra) -> User:
        user = User.objects.create_user(username=username or f"{role}-{next(_serials)}", password=PASSWORD, **extra)
        Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return make


@pytest.fixture
def make_enterprise(db, make_org) -> Callable:
    from techsme.core.identifiers import make_uscc
    from techsme.registry.models import Enterprise

    def make(name: str = "", region_code: str = "440305", industry_code: str = "I6513", with_org: bool = True,
             **extra) -> Enterprise:
        serial = next(_serials)
        org = make_org("enterprise", region_code, name=name or f"企业{serial}") if with_org else None
        return Enterprise.objects.create(
            organisation=org, uscc=make_uscc(region_code, serial + 1000), name=name or f"测试科技有限公司{serial}",
            region_code=region_code, industry_code=industry_code, founded_on=date(2015, 3, 1), **extra,
        )

    return make


@pytest.fixture
def two_regions(make_org, make_user, make_enterprise) -> dict:
    """Shenzhen (4403) and Guangzhou (4401) each with an agency, a reviewer, an admin and an enterprise + its admin."""
    out: dict = {}
    for key, city, county in (("sz", "440300", "440305"), ("gz", "440100", "440106")):
        agency = make_org("agency", city, "city", name=f"agency {key}")
        enterprise = make_enterprise(region_code=county)
        out[key] = {
            "agency": agency,
            "reviewer": make_user("agency_reviewer", agency, username=f"{key}-reviewer"),
            "admin": make_user("agency_admin", agency, username=f"{key}-admin", is_staff=True),
            "enterprise": enterprise,
            "ent_admin": make_user("enterprise_admin", enterprise.organisation, username=f"{key}-ent"),
        }
    return out
