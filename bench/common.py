"""Shared bench helpers: an app on a chosen database, timing, and percentiles."""

import gc
import os
import statistics
import time
from contextlib import contextmanager

from compliance import create_app
from config import DevelopmentConfig

REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))
WARMUP = 3


def app_for(url: str):
    """The real application (not the test configuration) on database `url`."""
    config = type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                                        "WTF_CSRF_ENABLED": False})
    app = create_app(config)
    if not gc.get_freeze_count():  # once, as gunicorn.conf.py's pre_fork does in production
        gc.collect()
        gc.freeze()
    return app


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(samples_ms: list[float]) -> dict:
    return {"median_ms": round(statistics.median(samples_ms), 1),
            "p95_ms": round(percentile(samples_ms, 0.95), 1), "runs": len(samples_ms)}


@contextmanager
def stopwatch():
    started = time.perf_counter()
    result = {}
    yield result
    result["seconds"] = time.perf_counter() - started


def timed(call, repeats: int = REPEATS) -> list[float]:
    """Milliseconds of `repeats` calls after a warm-up."""
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples
