"""Fewer malloc arenas for the solver threads, and freed memory handed back between stages, so a large
roster's peak memory stays near what it uses.

glibc gives each thread that allocates at once its own arena (up to 8 per core) and keeps freed
memory in it; the staged solve's threads (the polish's steps, the classes' parts, the bounds beside
them) each build and drop models of hundreds of MB, so the process grew to what every arena had
once held. Two arenas (one per solving thread) brought L's peak (1,000 agents x 21 days, 60 s) from
2,540 to 2,153 MB, the roster the same; ``trim`` before the cover and the polish then took the peak
from 1,651 to 1,364 MB (``benchmarks/bench_roster.py L --budgets 60`` prints it).
``trim`` hands what a stage freed back to the system (``malloc_trim``) before the next one allocates.
Nothing happens on a C library without them (macOS, musl)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` for the threads made from now on; True if it could."""
    libc = _libc()
    return bool(libc.mallopt(M_ARENA_MAX, arenas)) if libc is not None and hasattr(libc, "mallopt") else False


def trim() -> bool:
    """Hand the memory freed so far back to the system; True if it could."""
    gc.collect()
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None and hasattr(libc, "malloc_trim") else False


@functools.cache
def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
