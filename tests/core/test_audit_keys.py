"""Named keys (core.keys): generated once into the instance directory with mode 0600 outside production, read
from the environment in production (which refuses to start without them); voucher codes use their own key."""

import os
import stat
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

from techsme.core import keys


@pytest.fixture
def instance(settings, tmp_path, monkeypatch) -> Iterator[object]:
    settings.VAR_DIR = tmp_path
    for spec in keys.KEYS.values():
        monkeypatch.delenv(spec.env, raising=False)
    keys.clear_cache()
    yield tmp_path
    keys.clear_cache()


def test_key_is_generated_once_with_private_mode(instance):
    first = keys.get_key("audit")
    path = keys.key_path("audit")
    assert path.parent == instance / "keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= keys.MIN_LENGTH
    keys.clear_cache()
    assert keys.get_key("audit") == first  # read back, not regenerated
    assert keys.get_key("voucher-codes") != first
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temporary files left


def test_environment_wins(instance, monkeypatch):
    monkeypatch.setenv("TECHSME_AUDIT_KEY", "e" * 40)
    assert keys.get_key("audit") == b"e" * 40
    assert not keys.key_path("audit").exists()


def test_production_refuses_missing_or_short_keys(instance, settings, monkeypatch):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="TECHSME_AUDIT_KEY"):
        keys.require_production_keys()
    monkeypatch.setenv("TECHSME_AUDIT_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        keys.get_key("audit")
    monkeypatch.setenv("TECHSME_AUDIT_KEY", "a" * 40)
    monkeypatch.setenv("TECHSME_VOUCHER_CODE_KEY", "v" * 40)
    keys.clear_cache()
    keys.require_production_keys()
    assert not (instance / "keys").exists()  # production never writes key files


def test_no_key_file_is_tracked_by_git():
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    ignore = open(os.path.join(root, ".gitignore")).read().split()
    assert "var/" in ignore


def test_voucher_codes_are_signed_with_their_own_key(instance, settings, monkeypatch):
    from techsme.vouchers import codes

    code = codes.make_code(2026, 123)
    assert codes.check_code(code)
    old_style = salted_hmac(codes.SALT, "IV2026-000123", algorithm="sha256").digest()  # the committed SECRET_KEY
    assert code.rsplit("-", 1)[1] != codes.base64.b32encode(old_style).decode()[:12]
    monkeypatch.setenv("TECHSME_VOUCHER_CODE_KEY", "another key that is long enough 0123456789")
    keys.clear_cache()
    assert not codes.check_code(code)  # a code is only valid under the key that signed it
