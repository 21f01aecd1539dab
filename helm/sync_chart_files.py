"""Copy the repository's policies and rule packs into the Helm chart, or check they match.

Helm reads files (`.Files.Glob`) only from inside the chart directory, and a packaged chart
may not hold symlinks, so the chart carries a copy under `helm/keepgate/files/`. This script
is the one way that copy is made; `tests/helm` fails when the copy drifts from `policies/`
and `rules/`, naming the files, and tells you to run:

    python helm/sync_chart_files.py          # rewrite the chart's copy
    python helm/sync_chart_files.py --check  # exit 1 and list the drift (CI)

What is copied:
- `policies/**`: Rego modules (tests included, so `opa test` works on the copy) and the
  YAML/JSON data the Rego reads;
- `rules/**`: YAML rule packs. `rules/classifier/` (the model artefact and its card) is
  baked into the image instead: it is binary and can exceed a ConfigMap's 1 MiB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "helm" / "keepgate"


@dataclass(frozen=True)
class Tree:
    """One source folder of the repository and its copy in the chart."""

    source: str
    suffixes: tuple[str, ...]
    exclude_dirs: tuple[str, ...] = ()

    def files(self, root: Path) -> dict[str, bytes]:
        """Relative path → content of every file this tree carries under `root`."""
        base = root / self.source if root == REPO else root / "files" / self.source
        if not base.is_dir():
            return {}
        found: dict[str, bytes] = {}
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base)
            if not path.is_file() or path.suffix not in self.suffixes:
                continue
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if rel.parts[0] in self.exclude_dirs:
                continue
            found[rel.as_posix()] = path.read_bytes()
        return found


TREES = (
    Tree("policies", (".rego", ".yaml", ".yml", ".json")),
    Tree("rules", (".yaml", ".yml"), exclude_dirs=("classifier",)),
)


def drift(repo: Path = REPO, chart: Path = CHART) -> list[str]:
    """Human-readable differences between the repository and the chart's copy."""
    problems: list[str] = []
    for tree in TREES:
        want, have = tree.files(repo), tree.files(chart)
        for rel in sorted(want.keys() - have.keys()):
            problems.append(f"{tree.source}/{rel}: missing from the chart")
        for rel in sorted(have.keys() - want.keys()):
            problems.append(f"{tree.source}/{rel}: in the chart but not in the repository")
        for rel in sorted(want.keys() & have.keys()):
            if want[rel] != have[rel]:
                problems.append(f"{tree.source}/{rel}: differs from the repository")
    return problems


def sync(repo: Path = REPO, chart: Path = CHART) -> None:
    for tree in TREES:
        target = chart / "files" / tree.source
        if target.exists():
            shutil.rmtree(target)
        for rel, content in tree.files(repo).items():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report drift, change nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        for line in problems:
            print(line)
        if problems:
            print("run: python helm/sync_chart_files.py", file=sys.stderr)
        return 1 if problems else 0
    sync()
    print(f"synced {', '.join(t.source for t in TREES)} into {CHART.relative_to(REPO)}/files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
