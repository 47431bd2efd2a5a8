"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Mapping


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``repeat`` calls in milliseconds, after one warm-up call."""
    fn()  # warm-up: lazy unit registry, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def medians_ms(fns: Mapping[str, Callable[[], object]], repeat: int, *, seed: int = 16) -> dict[str, float]:
    """Return the median wall time in milliseconds of each function, timed in interleaved rounds.

    A figure and its baseline are compared as a ratio, so they are sampled over the same stretch of time:
    each round calls every function once, in a shuffled order, so that a slow spell of a shared machine
    (a busy neighbour, a stolen core) weighs on all of them alike instead of on whichever ran then. Garbage
    left by one call is collected before the next is timed, so no call pays for another's; each still pays
    its own collections.
    """
    names = list(fns)
    for name in names:
        fns[name]()  # warm-up: lazy unit registry, caches
    times: dict[str, list[float]] = {name: [] for name in names}
    order = random.Random(seed)
    for _ in range(repeat):
        order.shuffle(names)
        for name in names:
            gc.collect()
            start = time.perf_counter()
            fns[name]()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(found) for name, found in times.items()}
