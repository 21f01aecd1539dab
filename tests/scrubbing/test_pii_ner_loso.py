"""Names the NER missed on a source held out of its training (`bench/ner_loso.py`,
docs/pii.md "Names on text we never trained on").

On news held out (UNER PUD), a surname after `Mr`/`Ms` in running prose leaked: the
titled-name rule took a name the gazetteers do not know only where it was addressed
(`Dear Ms Oyebanji,`), to leave `Dr. Pepper` alone. A title only a person bears needs no
such guard; the first word must still not be a common word (`Mr Clean` stays).
"""

from __future__ import annotations

import pytest

from tests.scrubbing.test_pii_round10 import _every_split
from tests.scrubbing.test_pii_stream_splits import GUARD, SCRUBBER

pytestmark = pytest.mark.slow(cpu_s=2)

#: (text, the surname that must go): news-style sentences, names no gazetteer lists.
TITLED_IN_PROSE = [
    ("There was a time, Mr Panvalkar said, when he felt alone.", "Panvalkar"),
    ("The probe began in June, focusing on Mr Winterkorn and others.", "Winterkorn"),
    ("Ms Oyelaran-Quist added that the spike was new.", "Oyelaran-Quist"),
    ("We met Mrs Adebayo-Okon at the station.", "Adebayo-Okon"),
]
#: Look-alikes that must stay whole.
LEFT_ALONE = [
    "Ask Mr Clean for the Software Engineer post.",
    "Dr. Pepper tastes odd.",
    "Sir Mix-a-Lot",
    "Herr Direktor kommt gleich.",
]


@pytest.mark.parametrize("text,name", TITLED_IN_PROSE, ids=[n for _, n in TITLED_IN_PROSE])
def test_a_surname_after_a_person_title_goes_in_running_prose(text: str, name: str) -> None:
    out, counts = SCRUBBER.scrub(text)
    assert name not in out and counts.get("PERSON"), out
    assert text[text.index(name) + len(name) :] in out, out  # the rest of the sentence stays


@pytest.mark.parametrize("text", LEFT_ALONE, ids=[t[:12] for t in LEFT_ALONE])
def test_lookalikes_stay(text: str) -> None:
    out, counts = SCRUBBER.scrub(text)
    assert out == text and not counts, out


async def test_titled_name_in_prose_at_every_split() -> None:
    await _every_split(GUARD, SCRUBBER, TITLED_IN_PROSE[0][0], ("Panvalkar",))
