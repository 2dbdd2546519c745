"""The one place that provides the instance's named secret keys (audit chain, voucher codes).

Production reads every key from the environment (``TECHSME_AUDIT_KEY``, ``TECHSME_VOUCHER_CODE_KEY``; at least 32
characters) and refuses to start without it (``CoreConfig.ready`` calls :func:`require_production_keys`).
Development and tests generate each key on first use into the instance directory
(``settings.VAR_DIR / "keys" / "<name>.key"``, mode 0600, never committed: ``var/`` is ignored by git); the file is
created atomically, so two processes starting together end up with the same key.
"""

import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 32


@dataclass(frozen=True)
class KeySpec:
    name: str
    env: str
    purpose: str


KEYS: dict[str, KeySpec] = {
    spec.name: spec
    for spec in (
        KeySpec("audit", "TECHSME_AUDIT_KEY", "HMAC of every audit event and checkpoint"),
        KeySpec("voucher-codes", "TECHSME_VOUCHER_CODE_KEY", "signature part of voucher codes"),
    )
}


def _production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False))


def _from_environment(spec: KeySpec) -> bytes:
    raw = os.environ.get(spec.env, "")
    if len(raw) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"{spec.env} must be set to a random string of at least {MIN_LENGTH} characters ({spec.purpose})."
        )
    return raw.encode()


def key_path(name: str) -> Path:
    return Path(settings.VAR_DIR) / "keys" / f"{name}.key"


def _from_instance_directory(spec: KeySpec) -> bytes:
    path = key_path(spec.name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{spec.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(temporary, path)  # fails if another process got there first: then its key is the key
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    value = path.read_text().strip()
    if len(value) < MIN_LENGTH:
        raise ImproperlyConfigured(f"The key file {path} is shorter than {MIN_LENGTH} characters.")
    return value.encode()


@cache
def get_key(name: str) -> bytes:
    """The key called ``name`` (one of :data:`KEYS`), from the environment when set, else (outside production)
    from the instance directory."""
    spec = KEYS[name]
    if os.environ.get(spec.env) or _production():
        return _from_environment(spec)
    return _from_instance_directory(spec)


def clear_cache() -> None:
    """Forget the keys read so far (tests that change the environment or ``VAR_DIR``)."""
    get_key.cache_clear()


def require_production_keys() -> None:
    """In production every named key must come from the environment; raise ``ImproperlyConfigured`` otherwise."""
    if _production():
        for spec in KEYS.values():
            _from_environment(spec)
