"""CPU cost of the answer filters: `python bench/answer_filters.py`.

The PII stream scrubber alone, with the remote-image scanner, and with images and links
(`keepgate/scrubbing/posts.py`), on the same answer (markdown with a link and an image
every ~150 characters, half of them the conversation's own, half an attacker's) fed in
4-character chunks, patterns only (no NER); `links` without and `bare` with the
bare-domain stage (`bare_domains: all`, every dotted word judged), and `mentioned` with
the default `bare_domains: mentioned`. CPU time
(`process_time`), best of `--repeat`:
a ratio against the scrubber alone measured in the same process, so the machine's load
shifts all three alike.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keepgate.scrubbing.guard import shared_detector
from keepgate.scrubbing.posts import AnswerFilters, AnswerReport
from keepgate.scrubbing.scrubber import Scrubber
from keepgate.scrubbing.settings import parse_settings
from keepgate.scrubbing.stream import StreamScrubber

BODY = {
    "messages": [
        {"role": "system", "content": "Support copilot of AcmeCloud (acmecloud.io)."},
        {"role": "user", "content": "Summarise the forum threads about webhooks."},
        {
            "role": "tool",
            "tool_call_id": "c1",
            "content": json.dumps(
                {
                    "threads": [
                        {"url": f"https://community.acmecloud.io/t/{i}", "post": "a" * 80}
                        for i in range(200)
                    ]
                }
            ),
        },
    ]
}
PIECE = (
    "The thread [retries](https://community.acmecloud.io/t/{i}) says to return 200 "
    "![b](https://cdn.acmecloud.io/b.png) and see https://evil-{i}.example/x?d=1 too. "
)


def answer() -> str:
    return "".join(PIECE.format(i=i % 200) for i in range(800))


def run(text: str, which: str) -> float:
    s = parse_settings(
        {
            "nlp_model": None,
            "images": {"mode": "off" if which == "scrubber" else "always"},
            "links": {
                "mode": "always" if which in ("links", "bare", "mentioned") else "off",
                "bare_domains": {"bare": "all", "mentioned": "mentioned"}.get(which, "off"),
            },
        }
    )
    stream = StreamScrubber.of(Scrubber(shared_detector(None), s), hold_all_words=False)
    filters = AnswerFilters(s, True, BODY, stream.counts, AnswerReport.empty())
    stream.post = filters.new()
    t0 = time.process_time()
    out = [stream.feed(text[i : i + 4]) for i in range(0, len(text), 4)]
    out.append(stream.flush())
    return time.process_time() - t0


def main(repeat: int = 3) -> None:
    text = answer()
    run(text[:2000], "links")  # warm up
    best: dict[str, float] = {}
    for _ in range(repeat):
        for which in ("scrubber", "images", "links", "bare", "mentioned"):
            t = run(text, which)
            best[which] = min(best.get(which, t), t)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{stamp}, load {load}, {len(text):,} characters in 4-character chunks")
    base = best["scrubber"]
    for k, v in best.items():
        print(f"  {k:<9} {v * 1000:8.0f} ms CPU  x{v / base:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
