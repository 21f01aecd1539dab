"""Detector stages after the rules and the first-stage classifier: one narrow contract.

A `Detector` is anything with `score(text) -> float` in [0, 1] (the gibberish detector, the
instruction-in-data detector, the prompt-cue stage, an operator's ONNX model). A `Stage` binds one to a rule id,
the message roles it reads and its thresholds; `Stage.check` turns a text into a `Hit`
(or None). The scanner owns actions, modes and findings, so a new detector is a new class
with `score`, registered in `local_stages`, and nothing else changes.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from keepgate.input_guards.config import InputSettings, StageSettings


@runtime_checkable
class Detector(Protocol):
    def score(self, text: str) -> float: ...


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    stage: str
    default_action: str  # "block" | "flag"
    score: float


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    rule: str
    detector: Detector
    roles: frozenset[str]
    threshold: float
    flag_threshold: float | None = None
    #: Roles read through `detector.score_embedded` (the document inside a request), with
    #: their own thresholds; see `StageSettings.prompt_roles`.
    prompt_roles: frozenset[str] = frozenset()
    prompt_threshold: float = 1.0
    prompt_flag_threshold: float | None = None
    prompt_min_segments: int = 3
    #: Block thresholds per role, over `threshold` (`StageSettings.role_thresholds`).
    role_thresholds: tuple[tuple[str, float], ...] = ()

    def applies(self, role: str) -> bool:
        return role in self.roles or role in self.prompt_roles

    def thresholds(self, role: str) -> tuple[float, float | None]:
        if role in self.prompt_roles:
            return self.prompt_threshold, self.prompt_flag_threshold
        block = dict(self.role_thresholds).get(role, self.threshold)
        flag = None if self.flag_threshold is None else min(self.flag_threshold, block)
        return block, flag

    def check(self, text: str, role: str = "") -> tuple[float, Hit | None]:
        if role in self.prompt_roles:
            s = float(self.detector.score_embedded(text, self.prompt_min_segments))  # type: ignore[attr-defined]
        else:
            s = float(self.detector.score(text))
        return s, self._hit(s, role)

    def _hit(self, s: float, role: str) -> Hit | None:
        block, flag = self.thresholds(role)
        if s >= block:
            return Hit(self.rule, self.name, "block", s)
        if flag is not None and s >= flag:
            return Hit(self.rule, self.name, "flag", s)
        return None

    def check_said(self, text: str, role: str) -> tuple[float, Hit | None] | None:
        """`check` with quoted mentions read as said (`InstructionDetector.score_said`), or
        None when the detector does not excuse mentions at all."""
        said = getattr(self.detector, "score_said", None)
        if said is None:
            return None
        s = float(said(text, role in self.prompt_roles, self.prompt_min_segments))
        return s, self._hit(s, role)


def risk(score: float, threshold: float, anchor: float) -> float:
    """Map a stage score onto the classifier's scale: monotone, `threshold` -> `anchor`, so
    the scan's overall score is comparable across stages (max of all)."""
    if threshold <= 0.0:
        return 1.0
    if score < threshold:
        return score / threshold * anchor
    return anchor + (score - threshold) / max(1.0 - threshold, 1e-9) * (1.0 - anchor)


@functools.lru_cache(maxsize=8)
def _gibberish(path: str) -> Detector:
    from keepgate.input_guards.gibberish import GibberishDetector

    return GibberishDetector.load(Path(path))


@functools.lru_cache(maxsize=8)
def _instructions(path: str) -> Detector:
    from keepgate.input_guards.instructions import InstructionDetector

    return InstructionDetector.load(Path(path))


@functools.lru_cache(maxsize=8)
def _cues(path: str) -> Detector:
    from keepgate.input_guards.cues import CueDetector

    return CueDetector.load(Path(path))


class StageUnavailable(RuntimeError):
    """A configured stage's artefact could not be loaded."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def local_stages(settings: InputSettings) -> tuple[list[Stage], list[StageUnavailable]]:
    """The numpy stages `settings.checks` turns on, and the ones that failed to load."""
    specs: list[tuple[str, str, bool, StageSettings, Path, object]] = [
        (
            "gibberish",
            "gibberish.adversarial_suffix",
            settings.checks.gibberish,
            settings.gibberish,
            settings.gibberish_path(),
            _gibberish,
        ),
        (
            "instructions",
            "instructions.in_data",
            settings.checks.instructions,
            settings.instructions,
            settings.instructions_path(),
            _instructions,
        ),
        (
            "cues",
            "cues.prompt_attack",
            settings.checks.cues,
            settings.cues,
            settings.cues_path(),
            _cues,
        ),
    ]
    stages, errors = [], []
    for name, rule, on, cfg, path, loader in specs:
        if not on:
            continue
        try:
            det = loader(str(path.resolve()))  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - any load failure: stage unavailable
            errors.append(StageUnavailable(name, str(exc)))
            continue
        prompt_roles = (
            frozenset(cfg.prompt_roles) if hasattr(det, "score_embedded") else frozenset()
        )
        stages.append(
            Stage(
                name,
                rule,
                det,
                frozenset(cfg.roles),
                cfg.threshold,
                cfg.flag_threshold,
                prompt_roles,
                cfg.prompt_threshold,
                cfg.prompt_flag_threshold,
                cfg.prompt_min_segments,
                tuple(sorted(cfg.role_thresholds.items())),
            )
        )
    return stages, errors


def run(
    stages: list[Stage], text: str, role: str, timings: dict[str, float], scores: dict[str, float]
) -> list[Hit]:
    hits = []
    for st in stages:
        if not st.applies(role):
            continue
        t0 = time.perf_counter()
        s, hit = st.check(text, role)
        timings[st.name] = time.perf_counter() - t0
        scores[st.name] = s
        if hit is not None:
            hits.append(hit)
    return hits
