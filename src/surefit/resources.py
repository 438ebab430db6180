"""How much memory this machine has free, and sizes said in words."""
from __future__ import annotations

import os
from pathlib import Path

USABLE = 0.8  # the share of available memory a fit may plan to use: the rest is for everything else


def available_bytes() -> int:
    """Memory available to new allocations: Linux's MemAvailable (which counts reclaimable
    cache), else the free physical pages."""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def budget_bytes() -> int:
    return int(USABLE * available_bytes())


def size(n_bytes: float) -> str:
    """1.5e9 -> '1.5 GB'."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{int(n_bytes)} bytes"
