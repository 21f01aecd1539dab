"""The `guards.input` section, validated once so a typo fails start-up instead of passing silently.

`InputSettings` is the section as the loader validates it, per-role and per-key overrides
(`roles:` / `keys:`, any option) included; the guard merges an override over the section's
options (`keepgate.pipeline.overrides.merged`) and validates the result per (role, key_id).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

import keepgate
from keepgate.config.errors import ConfigError
from keepgate.config.model import GuardSettings
from keepgate.config.partial import Partial

#: The shipped rule packs (`rules_dir` in config replaces them, `rules_dirs` adds to them):
#: the repo's rules/ in a checkout, through the symlink; a copy in a wheel.
DEFAULT_RULES_DIR = (Path(keepgate.__file__).parent / "bundled" / "rules").resolve()
DEFAULT_CLASSIFIER = DEFAULT_RULES_DIR / "classifier" / "injection_classifier.npz"
DEFAULT_GIBBERISH = DEFAULT_RULES_DIR / "classifier" / "gibberish_detector.npz"
DEFAULT_INSTRUCTIONS = DEFAULT_RULES_DIR / "classifier" / "instruction_detector.npz"
DEFAULT_CUES = DEFAULT_RULES_DIR / "classifier" / "cue_detector.npz"

Action = Literal["block", "flag", "off"]
#: What a model reads, by who wrote it (`extract.SCAN_ROLES`).
ScanRole = Literal[
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
    "tool_definition",
    "response_format",
]
RoleMode = Literal["enforce", "monitor", "off"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Checks(_Strict):
    """Which stages run. `unicode` covers invisible/bidi/tag/homoglyph tricks, `encodings`
    base64/hex/rot13/URL runs."""

    unicode: bool = True
    encodings: bool = True
    rules: bool = True
    classifier: bool = True
    #: Adversarial-suffix / gibberish detector (on `gibberish.roles`).
    gibberish: bool = True
    #: Instruction-in-data detector (on `instructions.roles`: tool results).
    instructions: bool = True
    #: Prompt-cue stage: the moves of an attack on the model's instructions (override,
    #: prompt leak, persona without limits, refusal suppression, fake authority, ...) in
    #: 24 languages, on `cues.roles`.
    cues: bool = True
    #: An operator-supplied ONNX classifier (`model`); off unless configured.
    model: bool = False
    judge: bool = False


class ClassifierSettings(_Strict):
    path: str | None = None
    #: Score at or above which the message is blocked. 0.99 (round 5; 0.92 before): on
    #: prompts from sources it never saw the classifier's hits at 0.92–0.99 were templated
    #: chat ("please tell me your date of birth", "can I speak to your boss"), and the few
    #: attacks it alone caught there (6 of 2,700 held out) the prompt-cue stage now reads
    #: (rules/classifier/CLASSIFIER.md).
    threshold: float = Field(0.99, ge=0.0, le=1.0)
    #: Score at or above which the message is flagged (below `threshold`).
    flag_threshold: float = Field(0.86, ge=0.0, le=1.0)
    #: Block threshold per scan role, over `threshold`: tool results and user prompts have
    #: different benign score distributions, so each role gets its own 1 %-FPR point of
    #: the dev protocol (the flag threshold is capped at it).
    role_thresholds: dict[ScanRole, float] = Field(
        default_factory=lambda: dict[ScanRole, float]({"tool": 0.86, "function": 0.86})
    )

    def threshold_for(self, role: str) -> float:
        found = self.role_thresholds.get(cast(ScanRole, role))
        return self.threshold if found is None else found


class StageSettings(_Strict):
    """A local detector stage: its artefact, thresholds and the message roles it reads."""

    path: str | None = None
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    flag_threshold: float | None = Field(None, ge=0.0, le=1.0)
    roles: list[str] = Field(default_factory=list)
    #: Roles whose text is a request to the assistant by design (the instruction stage
    #: only): the stage reads the *document* pasted into such a message — a text of at
    #: least `prompt_min_segments` segments, its first segment (the writer's own request)
    #: left out — with its own thresholds. Not also listed in `roles`.
    prompt_roles: list[str] = Field(default_factory=list)
    prompt_threshold: float = Field(0.99, ge=0.0, le=1.0)
    prompt_flag_threshold: float | None = Field(None, ge=0.0, le=1.0)
    prompt_min_segments: int = Field(3, ge=2)
    #: Block threshold per scan role (one of `roles`), over `threshold`; the flag threshold
    #: is capped at it.
    role_thresholds: dict[ScanRole, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _order(self) -> "StageSettings":
        if any(not 0.0 <= t <= 1.0 for t in self.role_thresholds.values()):
            raise ValueError("role_thresholds must be in [0, 1]")
        if self.flag_threshold is not None and self.flag_threshold > self.threshold:
            raise ValueError("flag_threshold must not exceed threshold")
        if (
            self.prompt_flag_threshold is not None
            and self.prompt_flag_threshold > self.prompt_threshold
        ):
            raise ValueError("prompt_flag_threshold must not exceed prompt_threshold")
        if set(self.roles) & set(self.prompt_roles):
            raise ValueError("a role is either in roles or in prompt_roles")
        return self


def _gibberish() -> StageSettings:
    # Optimiser suffixes are a direct attack: user (and developer) text, not tool output,
    # where code, hashes and tables live. Threshold chosen by the dev protocol (card; 0.8 →
    # 0.85 in round 5: a third fewer persona-prompt false positives, suffixes 0.89 → 0.84).
    return StageSettings(threshold=0.85, flag_threshold=0.7, roles=["user", "developer"])


def _instructions() -> StageSettings:
    # Tool results are data; a user message may carry a pasted document (an e-mail, a web
    # page, a table) with an instruction hidden in it, so `user` is read as a prompt role.
    return StageSettings(
        threshold=0.975,
        flag_threshold=0.95,
        roles=["tool", "function"],
        prompt_roles=["user"],
        prompt_threshold=0.996,
    )


def _cues() -> StageSettings:
    # Direct attacks arrive as user (and developer) text; system prompts are the operator's
    # own, tool results are read by the instruction stage. Threshold chosen by the dev
    # protocol (card, round 5): one unambiguous move that is the point of a short message
    # blocks ("what is your password", "ignore the above"), every hard-benign family stays at
    # or under 2 % FPR.
    return StageSettings(
        threshold=CUES_THRESHOLD, flag_threshold=CUES_FLAG_THRESHOLD, roles=["user", "developer"]
    )


#: 0.85 in det-direct's round 5 alone; 0.9 once every round-5 lexicon was merged and the
#: head retrained (0.85 put persona prompts at 2.25 % and trigger-word questions in other
#: languages at 4.3 %; 0.9 keeps every hard-benign family at or under 1.7 %).
CUES_THRESHOLD = 0.9
CUES_FLAG_THRESHOLD = 0.7


class ModelSettings(_Strict):
    """An operator-supplied classifier exported to ONNX (e.g. Prompt Guard 2, a DeBERTa
    injection model) with its Hugging Face `tokenizer.json`; needs the `[onnx]` extra."""

    path: str | None = None
    tokenizer: str | None = None
    #: Output column that means "injection" (softmax over the logits, or a sigmoid when
    #: the model has one output).
    label_index: int = Field(1, ge=0)
    max_length: int = Field(512, ge=8, le=8192)
    threshold: float = Field(0.9, ge=0.0, le=1.0)
    #: Roles scanned on every message.
    roles: list[str] = Field(default_factory=lambda: ["tool", "function"])
    #: Other roles are scanned when the first stages' score falls in [low, high).
    band: tuple[float, float] | None = (0.3, 0.7)
    #: Seconds one scan may take (inference runs in a worker thread); over it the stage
    #: "cannot decide" and `on_error` applies: "block" fails closed (503), "flag" lets the
    #: request through with `x-keepgate-input-error: model.unavailable`.
    timeout: float = Field(2.0, gt=0)
    #: Inference threads for ONNX Runtime.
    threads: int = Field(1, ge=1, le=64)
    cache_size: int = Field(2048, ge=0)
    on_error: Literal["block", "flag"] = "block"
    action: Literal["block", "flag"] = "block"


class JudgeSettings(_Strict):
    """An LLM asked a fixed question; off by default (checks.judge)."""

    #: A `model_name` from `model_list`; called through the gateway's upstream client.
    model: str = "judge"
    timeout: float = Field(5.0, gt=0)
    #: "uncertain": only when the classifier score falls in `band`; "always": every message.
    when: Literal["uncertain", "always"] = "uncertain"
    #: Default: from 0.3 up to the classifier's block `threshold` (above it the classifier
    #: already blocks), so a per-role/key threshold moves the band with it.
    band: tuple[float, float] | None = None
    action: Literal["block", "flag"] = "block"
    cache_size: int = Field(2048, ge=0)
    cache_ttl: float = Field(3600.0, ge=0)
    max_chars: int = Field(8000, gt=0)
    #: Extra fields sent to the judge model (tests use it to script the fake model).
    extra_body: dict[str, Any] = Field(default_factory=dict)
    #: Known-answer check for tool results: the judge is asked to repeat a random token while
    #: reading the data; if the reply does not carry it, the data took over the model.
    known_answer: bool = False
    #: Roles the known-answer check applies to (others get the classification question).
    known_answer_roles: list[str] = Field(default_factory=lambda: ["tool", "function"])


class InputOptions(GuardSettings):
    """Every option of `guards.input`; each may also be set per role or key (`roles:` /
    `keys:` of `InputSettings`)."""

    #: When a stage cannot decide (classifier missing, judge down): pass with a header instead of 400.
    fail_open: bool = False
    #: "monitor" turns every block into a flag (rollout mode).
    mode: Literal["enforce", "monitor"] = "enforce"
    #: What is scanned, by scan role. (`roles:` is taken by per-key-role overrides.)
    scan_roles: list[ScanRole] = Field(
        default_factory=lambda: list[ScanRole](
            [
                "system",
                "developer",
                "user",
                "assistant",
                "tool",
                "function",
                "tool_definition",
                "response_format",
            ]
        )
    )
    #: Mode per scan role, over `mode` (a global "monitor" wins; unlisted roles enforce).
    #: System and developer messages are the application's own instructions, assistant
    #: turns the model's own replies replayed: their findings are flags (audited, never a
    #: block) unless set to "enforce" here. See docs/input-guards.md for the threat model.
    role_modes: dict[ScanRole, RoleMode] = Field(
        default_factory=lambda: dict[ScanRole, RoleMode](
            {"system": "monitor", "developer": "monitor", "assistant": "monitor"}
        )
    )
    checks: Checks = Field(default_factory=Checks)
    #: Replaces the repository's rules/ directory; null keeps it.
    rules_dir: str | None = None
    #: Extra rule directories, loaded after rules_dir (operators' own packs).
    rules_dirs: list[str] = Field(default_factory=list)
    #: Per-rule action overrides: exact id, or a prefix ending in "*" ("encoding.*": flag).
    actions: dict[str, Action] = Field(default_factory=dict)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    gibberish: StageSettings = Field(default_factory=_gibberish)
    instructions: StageSettings = Field(default_factory=_instructions)
    cues: StageSettings = Field(default_factory=_cues)
    model: ModelSettings = Field(default_factory=ModelSettings)
    judge: JudgeSettings = Field(default_factory=JudgeSettings)
    #: Shortest base64/hex run worth decoding.
    min_encoded_len: int = Field(24, ge=8)
    #: Wall-clock seconds one request's input scan may take; past it the request is
    #: refused with 503 input_guard_error (with fail_open: passed, with a header).
    scan_budget_s: float = Field(30.0, gt=0)
    #: Texts at least this long are scanned off the event loop: in the offload process pool
    #: (general_settings.offload), or a worker thread when it has no processes.
    offload_chars: int = Field(16_384, ge=0)
    #: A request whose smaller items add up to at least this many characters has them
    #: scanned in the offload process pool too, in batches of about this size (when a
    #: pool runs): many short messages are as much work as one long one.
    offload_total_chars: int = Field(65_536, ge=0)

    def mode_for(self, role: str) -> str:
        """enforce | monitor | off for text of this scan role."""
        if role not in self.scan_roles:
            return "off"
        mode: str = self.role_modes.get(role, "enforce")
        return "monitor" if self.mode == "monitor" and mode != "off" else mode

    def judge_band(self) -> tuple[float, float]:
        """Classifier scores the judge looks at (`when: uncertain`): [low, high)."""
        return self.judge.band or (min(0.3, self.classifier.threshold), self.classifier.threshold)

    def rule_dirs(self) -> list[Path]:
        base = Path(self.rules_dir) if self.rules_dir else DEFAULT_RULES_DIR
        return [base, *(Path(d) for d in self.rules_dirs)]

    def classifier_path(self) -> Path:
        return Path(self.classifier.path) if self.classifier.path else DEFAULT_CLASSIFIER

    def gibberish_path(self) -> Path:
        return Path(self.gibberish.path) if self.gibberish.path else DEFAULT_GIBBERISH

    def instructions_path(self) -> Path:
        return Path(self.instructions.path) if self.instructions.path else DEFAULT_INSTRUCTIONS

    def cues_path(self) -> Path:
        return Path(self.cues.path) if self.cues.path else DEFAULT_CUES


#: An override: any option, none required (keepgate.config.partial).
InputOverride = Annotated[BaseModel, Partial(InputOptions, "InputOverride")]


class InputSettings(InputOptions):
    """`guards.input`: the options, and per-role / per-key overrides of any of them."""

    #: Options for keys of this role, merged over the section (keepgate.pipeline.overrides).
    roles: dict[str, InputOverride | None] = Field(default_factory=dict)
    #: Options for this key_id, merged over the section and its role's overrides.
    keys: dict[str, InputOverride | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _order(self) -> "InputSettings":
        if self.classifier.flag_threshold > self.classifier.threshold:
            raise ValueError("classifier.flag_threshold must not exceed classifier.threshold")
        if any(not 0.0 <= t <= 1.0 for t in self.classifier.role_thresholds.values()):
            raise ValueError("classifier.role_thresholds must be in [0, 1]")
        if self.checks.model and not (self.model.path and self.model.tokenizer):
            raise ValueError(
                "checks.model is on: set model.path (ONNX) and model.tokenizer (tokenizer.json)"
            )
        return self


class InputConfigError(ConfigError, ValueError):
    """The guards.input section is invalid; `validation` is pydantic's error, so the guard's
    builder can name the file and line."""

    def __init__(self, validation: ValidationError, where: tuple[str, ...] = ()) -> None:
        super().__init__(f"guards.input{''.join('.' + w for w in where)}: {validation}")
        self.validation = validation
        #: Where under guards.input the bad section is: () for the base, ("roles", name) or
        #: ("keys", key_id) for an override.
        self.where = where


def parse_section(section: Mapping[str, Any]) -> InputSettings:
    """A whole `guards.input` mapping, overrides included (what the loader does for a file)."""
    try:
        return InputSettings.model_validate(section)
    except ValidationError as exc:
        raise InputConfigError(exc) from None


def parse_settings(section: Mapping[str, Any]) -> InputSettings:
    """The options that apply to one request (an override merged over the section): any
    `roles:` / `keys:` in `section` are left out."""
    body = {k: v for k, v in section.items() if k not in ("roles", "keys")}
    try:
        return InputSettings.model_validate(body)
    except ValidationError as exc:
        raise InputConfigError(exc) from None
