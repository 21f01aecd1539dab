"""Entity rewriting with Presidio's anonymizer operators (replace, mask, hash, redact).

The operators are called directly on each value, not through `AnonymizerEngine`: the
detector has already resolved overlaps, and the engine's per-call set-up would cost more
than the rewrite itself.
"""

from __future__ import annotations

from presidio_anonymizer.operators import Hash, Mask, Redact, Replace

from keepgate.scrubbing.settings import Operator

_REPLACE, _MASK, _HASH, _REDACT = Replace(), Mask(), Hash(), Redact()


def apply(op: Operator, entity: str, value: str, salt: bytes | None) -> str:
    """The text that stands in for `value` (an `entity`) under `op`."""
    if op.type == "replace":
        return _REPLACE.operate(value, {"new_value": op.new_value.replace("{type}", entity)})
    if op.type == "mask":
        return _MASK.operate(
            value,
            {
                "masking_char": op.masking_char,
                "chars_to_mask": max(0, len(value) - op.keep_last),
                "from_end": False,
            },
        )
    if op.type == "hash":
        if not salt:  # settings refuse this at start-up; never hash without a salt
            raise ValueError("hash operator without a salt")
        digest = _HASH.operate(value, {"hash_type": "sha256", "salt": salt})
        return f"<{entity}:{digest[: op.hash_length]}>"
    return _REDACT.operate(value, {})
