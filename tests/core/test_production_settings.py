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


_PROBE = """
from django.test import Client
c = Client(HTTP_HOST="example.org")
api = c.get("/api/v1/no-such-thing", secure=True)
page = c.get("/no-such-page/", secure=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
print(api.status_code, api["Content-Type"], api.json()["detail"] != "")
print(page.status_code, "页面不存在" in page.content.decode(), "Traceback" not in page.content.decode())
print(page["Content-Security-Policy"])
"""


def test_production_answers_json_for_the_api_friendly_pages_for_the_web_and_sends_the_csp(tmp_path):
    key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60))
    env = {"TECHSME_ENV": "production", "TECHSME_SECRET_KEY": key, "TECHSME_ALLOWED_HOSTS": "example.org",
           "TECHSME_AUDIT_KEY": key, "TECHSME_VOUCHER_CODE_KEY": key[::-1]}
    collected = _manage(tmp_path, "collectstatic", "--noinput", "-v", "0", **env)  # pages need the manifest
    assert collected.returncode == 0, collected.stderr
    done = _manage(tmp_path, "shell", "-c", _PROBE, **env)
    assert done.returncode == 0, done.stderr
    api, page, policy = done.stdout.strip().splitlines()[-3:]
    assert api == "404 application/json True"
    assert page == "404 True True"
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
