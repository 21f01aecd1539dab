"""`user:password` written in prose with no keyword (`log in as admin:admin123`; round 11,
second half): the pair's shape decides, and the colon's other uses stay — `host:port`,
times, ratios, IPv6, digests, image tags, `key:value` labels and schemes."""

from __future__ import annotations

import pytest

from keepgate.scrubbing.guard import build

pytestmark = pytest.mark.slow(cpu_s=2)  # scheduled first: tests/conftest.py

SCRUBBER = build({}, None, None).scrubber_for_section({"nlp_model": "none"})


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("just log in as admin:admin123 and change it", "admin123"),
        ("the kiosk still takes operator:Kiosk2024! after the reset", "Kiosk2024!"),
        ("try pi:raspberry9 on the new board", "raspberry9"),
        ("It was root:Hunter2!!. Then it changed.", "Hunter2!!"),
    ],
)
def test_a_user_password_pair_in_prose_is_redacted(text: str, secret: str) -> None:
    out, counts = SCRUBBER.scrub(text)
    assert out == text.replace(secret, "<SECRET>") and counts["SECRET"] == 1, out


@pytest.mark.parametrize(
    "text",
    [
        "the server is db01:5432 now",
        "pull redis:7.2-alpine and node:18-bullseye",
        "meet at 10:30am, ratio 16:9",
        "digest sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "filter with label:bug2024 and is:open",
        "see https://example.org/a:b and std::vector",
        "fe80:0db8 is a prefix",
        "the build image:v1.2.3 shipped",
        "Note:check the logs first",
    ],
)
def test_the_colons_other_uses_stay(text: str) -> None:
    out, counts = SCRUBBER.scrub(text)
    assert counts.get("SECRET", 0) == 0, out
