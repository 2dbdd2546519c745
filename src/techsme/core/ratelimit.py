"""Fixed-window counters in the cache (a DatabaseCache, shared by every process) for rate limits.

A bucket names what is counted (``login-fail:user``, ``objections``); the key (a username, an address) is hashed, so
no personal data is stored in clear in the cache table.
"""

import hashlib

from django.core.cache import cache


def _cache_key(bucket: str, key: str) -> str:
    return f"techsme:{bucket}:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def count(bucket: str, key: str) -> int:
    """How many hits ``key`` has in ``bucket`` in the current window."""
    return int(cache.get(_cache_key(bucket, key), 0))


def hit(bucket: str, key: str, *, window_seconds: int) -> None:
    """Count one hit; the window starts with the first hit and lasts ``window_seconds``."""
    cache_key = _cache_key(bucket, key)
    if not cache.add(cache_key, 1, timeout=window_seconds):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window_seconds)


def reset(bucket: str, key: str) -> None:
    cache.delete(_cache_key(bucket, key))
