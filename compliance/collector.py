"""Python's cyclic garbage collector, held while a large, cycle-free working set is built."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic collector for the block: each of its passes walks every live object
    again while freeing next to nothing (WeasyPrint's boxes, replay's tuples). What the block
    leaves is freed at the next collection. Left off if it was off before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
