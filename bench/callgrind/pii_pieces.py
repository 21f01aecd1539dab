"""Callgrind instruction counts per 500-character piece of the PII scrubber (docs/pii.md).

    gcc -shared -fPIC -O1 -o /tmp/kgtramp.so bench/callgrind/tramp.c
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python bench/callgrind/pii_pieces.py /tmp/kgtramp.so
    callgrind_annotate --inclusive=yes /tmp/cg.out | grep kg_part_

The pieces are `bench/pii.py --quick`'s (40 per kind of text). Each (kind, NER off/on)
pass runs warm once, then once inside `kg_part_<n>` (n printed below), so the inclusive
count of `kg_part_<n>` divided by the number of pieces is the cost per piece. The
"streamed" passes feed each piece to a `StreamScrubber` in 4-character deltas (a model's
token size) and flush it: the stream's gate, hold-back and batching on top of the scrub.
`--only streamed` (or `whole`) runs just those passes (numbered as in a full run), about
half the time under valgrind when only the stream changed.
"""

from __future__ import annotations

import ctypes
import json
import sys

from bench.pii import PROSE_FILE, keepgate_scrubber, load_rows, pieces_of
from bench.pii_dev import dev_sets
from keepgate.scrubbing.stream import StreamScrubber

CB = ctypes.CFUNCTYPE(ctypes.c_long)


def main() -> None:
    lib = ctypes.CDLL(sys.argv[1])
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    rows = load_rows()
    with open(PROSE_FILE, encoding="utf-8") as fh:
        prose = pieces_of("\n".join(json.loads(line)["text"] for line in fh))[:40]
    kinds = {
        "labelled PII set": pieces_of("\n".join(r["text"] for r in rows))[:40],
        "plain prose": prose,
        "tweets (BTC F)": pieces_of("\n".join(d.text for d in dev_sets()["btc_f (social)"]))[:40],
    }
    _, ner = keepgate_scrubber()
    _, patterns = keepgate_scrubber({"nlp_model": None})
    n = 0
    lib.kg_start()
    for label, scrubber in (("patterns only", patterns), ("NER on", ner)):
        for kind, pieces in kinds.items():
            for p in pieces:  # warm: caches, lazy loads
                scrubber.scrub(p)

            def one_pass(pieces: list[str] = pieces, scrubber=scrubber) -> int:
                for p in pieces:
                    scrubber.scrub(p)
                return 0

            def streamed(pieces: list[str] = pieces, scrubber=scrubber) -> int:
                for p in pieces:
                    s = StreamScrubber.of(scrubber, hold_all_words=scrubber.detector.has_ner)
                    for i in range(0, len(p), 4):
                        s.feed(p[i : i + 4])
                    s.flush()
                return 0

            for how, fn in (("whole", one_pass), ("streamed", streamed)):
                if only is not None and how != only:
                    n += 1
                    continue
                fn()  # warm
                cb = CB(fn)
                lib.kg_enter(n, cb)
                print(f"kg_part_{n}: {label}, {kind}, {how}, {len(pieces)} pieces", flush=True)
                n += 1
    lib.kg_stop()


if __name__ == "__main__":
    main()
