"""Fewer malloc arenas for the solver threads, so a large roster's peak memory stays near what it uses.

glibc gives each thread that allocates at once its own arena (up to 8 per core) and keeps freed
memory in it; the staged solve's threads (the polish's steps, the classes' parts, the bounds beside
them) each build and drop models of hundreds of MB, so the process grew to what every arena had
once held. Two arenas (one per solving thread) brought L's peak (1,000 agents x 21 days, 60 s) from
2,540 to 2,153 MB, the roster the same (``benchmarks/bench_roster.py L`` prints it: 2,104 MB now).
Nothing happens on a C library without ``mallopt`` (macOS, musl)."""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` for the threads made from now on; True if it could."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
