"""The stream side shared by the answer filters that hold unfinished text (images, links,
bare domains): text goes into `pending`, `_run` releases what is decided, `flush` decides the
rest. One definition, so the three cannot drift apart on the empty-piece and flush rules."""

from __future__ import annotations


class HeldRun:
    """`feed`/`flush`/`held` over `pending` and the subclass's `_run(final)`."""

    pending: str

    @property
    def held(self) -> int:
        return len(self.pending)

    def feed(self, text: str) -> str:
        if not text:
            return ""
        self.pending += text
        return self._run(final=False)

    def flush(self) -> str:
        return self._run(final=True) if self.pending else ""

    def _run(self, final: bool) -> str:
        raise NotImplementedError
