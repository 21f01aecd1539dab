"""Optional model stage: an operator's own classifier exported to ONNX, with its tokenizer.

Bring Prompt Guard 2, a DeBERTa injection model or your own fine-tune: export it to ONNX
(`optimum-cli export onnx ...`) and point `guards.input.model.path` at the `.onnx` file and
`model.tokenizer` at its Hugging Face `tokenizer.json`. It runs with ONNX Runtime and the
`tokenizers` library (the `[onnx]` extra), in a worker thread so the event loop keeps
serving, with its own timeout, an LRU cache by text hash and its own fail mode.

It reads every message of `model.roles` (tool results by default) and, on other roles, only
texts whose first-stage score falls in `model.band` (the uncertain middle). Long texts are
scored in `max_length`-token windows and the maximum taken: every window, the first and
last `MAX_WINDOWS // 2` first, then the middle; past `MAX_WINDOWS`, a window is started only
before the stage's `timeout`, and a text not read by then is "cannot decide" (red team 8:
the middle windows were skipped silently, so padding put an injection out of reach). The model's first output is read as logits: softmax over the columns and
`label_index` is "injection", or a sigmoid when there is a single column.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from keepgate.input_guards.config import ModelSettings
from keepgate.pipeline.digests import text_digest

#: Windows always read (head and tail); the rest are read while the deadline allows.
MAX_WINDOWS = 8
RULE = "model.injection"


class ModelStageError(RuntimeError):
    """The model or tokenizer cannot be loaded, or inference failed."""


class OnnxClassifier:
    """Synchronous scoring: tokenizer → ONNX Runtime → probability of the injection label."""

    def __init__(self, settings: ModelSettings) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelStageError(
                f"the model stage needs the [onnx] extra (onnxruntime, tokenizers): {exc}"
            ) from None
        if not settings.path or not settings.tokenizer:
            raise ModelStageError("model.path and model.tokenizer must both be set")
        for p in (settings.path, settings.tokenizer):
            if not Path(p).is_file():
                raise ModelStageError(f"model stage: no such file {p}")
        self.settings = settings
        try:
            self.tokenizer = Tokenizer.from_file(settings.tokenizer)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = settings.threads
            opts.inter_op_num_threads = 1
            self.session = ort.InferenceSession(
                settings.path, opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - any load failure names the file
            raise ModelStageError(f"cannot load model {settings.path}: {exc}") from None
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.inputs = [i.name for i in self.session.get_inputs()]
        if "input_ids" not in self.inputs:
            raise ModelStageError(
                f"{settings.path}: the model has no input_ids input "
                f"(inputs: {', '.join(self.inputs)})"
            )

    def _windows(self, ids: list[int]) -> list[list[int]]:
        n = self.settings.max_length
        if len(ids) <= n:
            return [ids]
        wins = [ids[i : i + n] for i in range(0, len(ids), n)]
        if len(wins) <= MAX_WINDOWS:
            return wins
        h = MAX_WINDOWS // 2
        return wins[:h] + wins[-h:] + wins[h:-h]  # head and tail first, then the middle

    def score(self, text: str, deadline: float | None = None) -> float:
        """The highest window's score; past `MAX_WINDOWS` windows, raises ModelStageError
        when `deadline` (`time.monotonic`) has passed before the text is read whole."""
        ids = self.tokenizer.encode(text).ids
        best = 0.0
        wins = self._windows(ids or [0])
        for k, win in enumerate(wins):
            if k >= MAX_WINDOWS and deadline is not None and time.monotonic() > deadline:
                raise ModelStageError(
                    f"model stage read {k} of {len(wins)} windows before its timeout"
                )
            arr = np.asarray([win], dtype=np.int64)
            feed = {"input_ids": arr}
            if "attention_mask" in self.inputs:
                feed["attention_mask"] = np.ones_like(arr)
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(arr)
            logits = np.asarray(self.session.run(None, feed)[0], dtype=np.float64).reshape(-1)
            if logits.size == 1:
                p = 1.0 / (1.0 + np.exp(-logits[0]))
            else:
                if self.settings.label_index >= logits.size:
                    raise ModelStageError(
                        f"label_index {self.settings.label_index} but the "
                        f"model has {logits.size} outputs"
                    )
                e = np.exp(logits - logits.max())
                p = float(e[self.settings.label_index] / e.sum())
            best = max(best, float(p))
        return best


class ModelStage:
    """The async wrapper the scanner calls: thread, timeout, cache."""

    def __init__(self, settings: ModelSettings, classifier: OnnxClassifier | None = None) -> None:
        self.settings = settings
        self.classifier = classifier or OnnxClassifier(settings)
        self._cache: OrderedDict[str, float] = OrderedDict()

    def applies(self, role: str, first_stage_score: float) -> bool:
        if role in self.settings.roles:
            return True
        band = self.settings.band
        return band is not None and band[0] <= first_stage_score < band[1]

    async def score(self, text: str) -> float:
        """The model's score; raises ModelStageError when it cannot decide in time."""
        key = text_digest(text).hex()
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        deadline = time.monotonic() + self.settings.timeout
        try:
            value = await asyncio.wait_for(
                asyncio.to_thread(self.classifier.score, text, deadline), self.settings.timeout
            )
        except asyncio.TimeoutError:
            raise ModelStageError(f"model stage timed out after {self.settings.timeout}s") from None
        except ModelStageError:
            raise
        except Exception as exc:  # noqa: BLE001 - inference failure is "cannot decide"
            raise ModelStageError(f"model inference failed: {type(exc).__name__}") from None
        if self.settings.cache_size > 0:
            self._cache[key] = value
            while len(self._cache) > self.settings.cache_size:
                self._cache.popitem(last=False)
        return value
