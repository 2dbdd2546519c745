"""Production mode: passes ``check --deploy`` with a real key; refuses to start without one."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The child configures itself; pytest and the browser tests set variables (DJANGO_ALLOW_ASYNC_UNSAFE) it must not see.
_INHERITED_NOT = ("TECHSME_", "DATABASE_URL", "PYTEST_", "DJANGO_")


def _manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_NOT)}
    clean.update({"TECHSME_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT / "src"), **env})
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args], env=clean, capture_output=True, text=True, timeout=120,
    )


def test_production_passes_check_deploy(tmp_path):
    key = "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(60))
    done = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                   TECHSME_ENV="production", TECHSME_SECRET_KEY=key, TECHSME_ALLOWED_HOSTS="example.org",
                   TECHSME_AUDIT_KEY=key, TECHSME_VOUCHER_CODE_KEY=key[::-1])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("key", [None, "short", "django-insecure-" + "x" * 60])
def test_production_refuses_to_start_without_a_real_key(tmp_path, key):
    env = {"TECHSME_ENV": "production", "TECHSME_ALLOWED_HOSTS": "example.org"}
    if key is not None:
        env["TECHSME_SECRET_KEY"] = key
    done = _manage(tmp_path, "check", **env)
    assert done.returncode != 0
    assert "TECHSME_SECRET_KEY must be set" in done.stderr
