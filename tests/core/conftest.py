"""Ledger concurrency tests need a SQLite test database that separate connections (threads) can share.

SQLite's default test database is in memory with a shared cache, where concurrent writers fail at once with "database
table is locked" instead of waiting; a file database (WAL, IMMEDIATE transactions, 30 s timeout) behaves like
production. The file lives in /dev/shm when available (RAM, so no slower than memory) and is named after the process,
so parallel test runs do not collide. Django deletes it at the end of the session.

The switch happens when this conftest is loaded (``pytest_configure``), i.e. during collection and before the session's
test database is created, so it holds whatever test happens to set up the database first. (Lead: this could move to
tests/conftest.py so the whole suite always uses it.)
"""

import os
import tempfile
from pathlib import Path

import pytest


def _use_file_test_database() -> None:
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
