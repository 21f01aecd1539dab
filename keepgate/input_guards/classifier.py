"""The local injection classifier: logistic regression over hashed n-grams, numpy only.

The artefact is an `.npz` of plain arrays (weights, bias, hash width, version), loaded with
`allow_pickle=False`, so a tampered file cannot run code. `train.py` writes it; the card
`rules/classifier/CLASSIFIER.md` says what it was trained on and how it scores.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from keepgate.input_guards.features import featurize

FORMAT = 1


class ClassifierError(RuntimeError):
    """The artefact is missing or malformed."""


class Classifier:
    def __init__(self, weights: np.ndarray, bias: float, bits: int, max_chars: int = 8192) -> None:
        if weights.shape != (1 << bits,):
            raise ClassifierError(f"weights have shape {weights.shape}, expected ({1 << bits},)")
        self.weights = weights.astype(np.float32)
        #: The same weights at half the size when float16 holds them exactly (the artefact
        #: stores float16): a 1 KB text gathers ~3,000 of the 2**bits weights, and from a
        #: 128 KB table instead of 256 KB fewer of those reads miss the CPU cache, which the
        #: scan's other stages have filled in between. Gathered, then widened: the same
        #: float32 values, so the same dot product.
        half = weights.astype(np.float16)
        self._half = half if np.array_equal(half.astype(np.float32), self.weights) else None
        self.bias = float(bias)
        self.bits = bits
        #: Longer texts are scored on head and tail windows and the maximum taken.
        self.max_chars = max_chars

    @classmethod
    def load(cls, path: Path) -> "Classifier":
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["format"]) != FORMAT:
                    raise ClassifierError(f"{path}: unsupported format {int(z['format'])}")
                return cls(
                    z["weights"],
                    float(z["bias"]),
                    int(z["bits"]),
                    int(z["max_chars"]) if "max_chars" in z else 8192,
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ClassifierError(f"cannot load classifier {path}: {exc}") from None

    def save(self, path: Path, **meta: str) -> None:
        arrays: dict[str, Any] = {
            "format": np.int32(FORMAT),
            "weights": self.weights.astype(np.float16),
            "bias": np.float32(self.bias),
            "bits": np.int32(self.bits),
            "max_chars": np.int32(self.max_chars),
            **{k: np.str_(v) for k, v in meta.items()},
        }
        np.savez_compressed(path, **arrays)

    def _score_one(self, text: str) -> float:
        idx, vals = featurize(text, self.bits)
        w = self.weights[idx] if self._half is None else self._half[idx].astype(np.float32)
        z = float(w @ vals) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def score(self, text: str) -> float:
        """Probability-like score in [0, 1] that `text` is an injection or jailbreak."""
        if len(text) <= self.max_chars:
            return self._score_one(text)
        step = self.max_chars
        windows = [text[i : i + step] for i in range(0, len(text), step)]
        if len(windows) > 8:  # bound the cost: head, tail and a sample between
            windows = windows[:4] + windows[-4:]
        return max(self._score_one(w) for w in windows)
