"""`python -m bench.agent_attacks [--quick] [--profiles defaults,strict] [--domains ...]`

Replays the suite through a real Keepgate per (profile, domain) — one `keepgate serve`
process each, the fake model upstream, the openai SDK as the client — and prints the
table of docs/policy.md ("Agent-attack suite"). Results go to bench/out/agent_attacks.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.agent_attacks import gateway_proc, heldout, heldout3, heldout4, links, metrics, profiles
from bench.agent_attacks.domains import DOMAINS
from bench.agent_attacks.replay import RunRecord, replay
from bench.agent_attacks.suite import runs
from bench.targets import REPO, start_fake_model

#: `--set`: the suite, or the held-out set written after the policy (never tuned on).
SETS = {
    "suite": (DOMAINS, runs),
    "heldout": (heldout.DOMAINS, heldout.runs),
    "heldout3": (heldout3.DOMAINS, heldout3.runs),
    "heldout4": (heldout4.DOMAINS, heldout4.runs),
    "links": (links.DOMAINS, links.runs),
}


def run_profile(
    profile: str,
    domains: list[str],
    quick: bool,
    workers: int,
    workdir: Path,
    fake_base: str,
    log,
    nulls: bool = False,
    which: str = "suite",
) -> list[RunRecord]:
    import openai

    records: list[RunRecord] = []
    all_domains, make_runs = SETS[which]
    for d in all_domains:
        if d.name not in domains:
            continue
        todo = make_runs((d,), quick=quick)
        gw = gateway_proc.start(profile, d.name, fake_base, workdir)
        try:
            client = openai.OpenAI(
                base_url=gw.base_url, api_key=gateway_proc.KEY, max_retries=0, timeout=120
            )
            t0 = time.monotonic()
            with ThreadPoolExecutor(workers) as pool:
                records += list(pool.map(lambda r, client=client: replay(client, r, nulls), todo))
            log(
                f"  {profile:<12} {d.name:<10} {len(todo):>4} runs in {time.monotonic() - t0:5.1f} s"
            )
        finally:
            gw.stop()
    return records


def cli(
    quick: Annotated[bool, typer.Option("--quick", help="4 tasks × 3 goals per domain.")] = False,
    profile: Annotated[
        str, typer.Option("--profiles", help="Comma-separated: " + ",".join(profiles.PROFILES))
    ] = "defaults,strict",
    domain: Annotated[
        Optional[str], typer.Option("--domains", help="Comma-separated domains.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Runs replayed in parallel.")] = 3,
    nulls: Annotated[
        bool,
        typer.Option(
            "--nulls", help="The model sends null for every optional argument it leaves out."
        ),
    ] = False,
    show_failures: Annotated[
        bool, typer.Option("--failures", help="List failing tasks and attacks that got through.")
    ] = False,
    out: Annotated[Path, typer.Option(help="Results folder.")] = REPO / "bench" / "out",
    pii_images: Annotated[
        Optional[str],
        typer.Option(
            "--pii-images",
            help="guards.pii.images.mode for every profile (off | tainted | always); "
            "default: the shipped default.",
        ),
    ] = None,
    pii_links: Annotated[
        Optional[str],
        typer.Option(
            "--pii-links",
            help="guards.pii.links.mode for every profile (off | tainted | always); "
            "default: the shipped default.",
        ),
    ] = None,
    links_unseen: Annotated[
        Optional[str],
        typer.Option("--links-unseen", help="guards.pii.links.unseen_hosts (neutralise | pass)."),
    ] = None,
    which: Annotated[
        str,
        typer.Option(
            "--set",
            help="suite | heldout | heldout3 | heldout4 (apps and registers never tuned on) | links.",
        ),
    ] = "suite",
) -> None:
    """Replay the agent-attack suite through Keepgate and print attack success and utility."""
    names = [p.strip() for p in profile.split(",") if p.strip()]
    for p in names:
        if p not in profiles.PROFILES:
            raise typer.BadParameter(f"unknown profile {p!r}; choose from {profiles.PROFILES}")
    if which not in SETS:
        raise typer.BadParameter(f"unknown set {which!r}; choose from {list(SETS)}")
    all_domains = [d.name for d in SETS[which][0]]
    doms = [x.strip() for x in domain.split(",")] if domain else all_domains
    if bad := [x for x in doms if x not in all_domains]:
        raise typer.BadParameter(f"unknown domain(s) {bad}; choose from {all_domains}")
    if pii_images is not None:
        if pii_images not in ("off", "tainted", "always"):
            raise typer.BadParameter("--pii-images: off | tainted | always")
        gateway_proc.EXTRA_GUARDS.setdefault("pii", {})["images"] = {"mode": pii_images}
    links: dict[str, str] = {}
    if pii_links is not None:
        if pii_links not in ("off", "tainted", "always"):
            raise typer.BadParameter("--pii-links: off | tainted | always")
        links["mode"] = pii_links
    if links_unseen is not None:
        if links_unseen not in ("neutralise", "pass"):
            raise typer.BadParameter("--links-unseen: neutralise | pass")
        links["unseen_hosts"] = links_unseen
    if links:
        gateway_proc.EXTRA_GUARDS.setdefault("pii", {})["links"] = links
    workdir = out / "agent_attacks"
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    fake = start_fake_model(workdir)
    results: dict[str, list[RunRecord]] = {}
    try:
        for p in names:
            results[p] = run_profile(
                p,
                doms,
                quick,
                workers,
                workdir,
                fake.url.rsplit("/chat/completions", 1)[0],
                print,
                nulls,
                which,
            )
    finally:
        fake.stop()
    load_after = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nAgent-attack suite, {stamp}, load (1/5/15 min) {load} at start, {load_after} "
        f"at end{' — quick slice' if quick else ''}{' — nulls for omitted arguments' if nulls else ''}\n"
    )
    dump = {
        "date": stamp,
        "load_start": load,
        "load_end": load_after,
        "quick": quick,
        "nulls": nulls,
        "set": which,
        "pii_images": pii_images,
        "pii_links": pii_links,
        "links_unseen": links_unseen,
        "profiles": {},
    }
    for p, recs in results.items():
        rows = metrics.summarise(recs)
        styles = ", ".join(f"{k} {v}" for k, v in metrics.by_style(recs).items())
        print(
            f"### profile: {p}\n\n{metrics.markdown(rows)}\n\nattacks through by phrasing: "
            f"{styles}\n"
        )
        clean = [r for r in recs if r.injection is None and r.final_ok]
        altered = [r.run for r in clean if not r.final_intact]
        print(
            f"clean answers altered by the gateway: {len(altered)} of {len(clean)} {altered[:5]}\n"
        )
        fams = metrics.text_goals_by_family(recs)
        ci, cn, ai, an = metrics.answers_intact(recs)
        print(
            "text goals delivered by family: "
            + ", ".join(f"{k} {v}" for k, v in fams.items())
            + f"\nclean answers intact {ci}/{cn}; the task's own answer intact under a text "
            f"goal {ai}/{an}\n"
        )
        fails = metrics.failures(recs)
        if show_failures:
            for k, v in fails.items():
                print(f"{k} ({len(v)}):")
                for line in v:
                    print(f"  {line}")
            print()
        dump["profiles"][p] = {
            "rows": [r.__dict__ for r in rows],
            "failures": fails,
            "by_style": metrics.by_style(recs),
            "text_goals_by_family": fams,
            "answers_intact": [ci, cn, ai, an],
            "records": [r.as_dict() for r in recs],
        }
    stem = "agent_attacks" + ("" if which == "suite" else f"-{which}")
    path = out / (stem + ("-nulls.json" if nulls else ".json"))
    path.write_text(json.dumps(dump, indent=1))
    print(f"records: {path}")


if __name__ == "__main__":
    typer.run(cli)
