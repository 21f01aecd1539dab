"""Keep what start-up built out of the garbage collector's full passes.

A full (generation 2) collection walks every tracked object, and a loaded gateway (litellm,
Presidio, the classifiers) holds millions: one pass took ~270 ms, on the event loop, and a
request with tens of thousands of items allocates enough to trigger one. After start-up,
`gc.freeze()` moves everything alive then to the permanent generation, so later passes walk
only what requests made (the longest event-loop gap for a 10,000-message request fell from
~270 ms to ~10-30 ms; bench/many_items.py). Start-up garbage is collected first, so none
of it is kept forever. Once per process: a frozen object is never collected, so a second
app started in the same process (tests) must not freeze a first one it may outlive.
"""

from __future__ import annotations

import gc


def freeze_startup() -> None:
    """Collect start-up garbage, then exempt what is left from future collections (once:
    nothing happens when something is already frozen)."""
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
