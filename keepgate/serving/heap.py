"""Keep what start-up built out of the garbage collector's full passes.

A full (generation 2) collection walks every tracked object, and a loaded gateway (litellm,
Presidio, the classifiers) holds millions: one pass took ~270 ms, on the event loop, and a
request with tens of thousands of items allocates enough to trigger one. After start-up,
`gc.freeze()` moves everything alive then to the permanent generation, so later passes walk
only what requests made (the longest event-loop gap for a 10,000-message request fell from
~270 ms to ~10-30 ms; bench/many_items.py). Start-up garbage is collected first, so none
of it is kept forever. Once per process: a frozen object is never collected, so a second
app started in the same process (tests) must not freeze a first one it may outlive.

"Once" is a flag, not `gc.get_freeze_count()` on every start: that call counts the frozen
objects by walking them one by one (CPython 3.11-3.13), ~450,000 once litellm is loaded,
~15-50 ms of CPU per app started after the first (the test suite starts hundreds).
"""

from __future__ import annotations

import gc

#: Set by the first call: later apps in the process leave the heap alone.
_done = False


def freeze_startup() -> None:
    """Collect start-up garbage, then exempt what is left from future collections (once per
    process; nothing happens either when something else froze the heap first)."""
    global _done
    if _done:
        return
    _done = True
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
