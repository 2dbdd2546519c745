"""Fixtures of the registry tests (the shared ones live in ``tests/conftest.py``)."""

import io
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def importer(make_org, make_user) -> Any:
    """A Shenzhen city agency admin (may import inside 4403)."""
    agency = make_org("agency", "440300", "city", name="深圳市科学技术局(测试)")
    return make_user("agency_admin", agency, username="sz-importer")


@pytest.fixture
def run_import(importer) -> Callable:
    from techsme.registry.importing import do_import_registry

    def run(data: bytes, filename: str = "enterprises.csv", actor: Any = None):
        return do_import_registry(actor=actor or importer, file=io.BytesIO(data), filename=filename)

    return run
