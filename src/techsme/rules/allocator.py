"""Batch runs: ask glibc to keep freed memory instead of returning it to the system after every large array.

A million-row assessment allocates hundreds of 8 MB columns; with glibc's defaults each one is a fresh `mmap`
whose pages fault in one by one. Raising the mmap and trim thresholds lets later columns reuse pages already
touched (one measurement: 2.6 s → 1.9 s for the first 1M-row assessment in a process; on the busy benchmark
machine the difference was within noise, see bench/results/rules.md). Call it from batch entry points (the CLI, a
worker), not from a web process. A no-op where glibc is not available.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def tune_allocator(mmap_threshold: int = 512 * 2**20, trim_threshold: int = 2**30) -> bool:
    """Raise glibc's mmap/trim thresholds; True when applied."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)) and bool(
            libc.mallopt(M_TRIM_THRESHOLD, trim_threshold)
        )
    except (OSError, AttributeError):
        return False
