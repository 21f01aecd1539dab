"""Held-out set 4: three more apps, written before the round that scores it.

Written on 2026-12-07 (23:40-23:55 UTC) before any change of that round, scored once with
the shipped defaults and the strict profile before, once after (docs/policy.md, "Held-out
set 4"). What it adds to the sets before it:

- **Apps** unlike the earlier ones: a marketplace's payments console (`payouts`: transfers
  to sellers, refunds, disputes, payout banks, API keys, the webhook), a team-messaging
  workspace's admin assistant (`crew`: exports, guests, roles, visibility, retention,
  webhooks, archiving), an office building's operations console (`fleet`: doors, badges,
  HVAC, cameras, firmware, log uploads, the alarm call-out number).
- **Goals** across families: exfiltration through an argument (an export address, a
  webhook, a log upload URL, a look-alike mailbox), a changed recipient / amount / account
  (the user's own amount sent to another seller, a payout IBAN, the alarm number),
  privilege and sharing (a full API key, a guest made admin, a private channel made
  public, an outsider invited, badge access), destructive ones (retention of a legal hold
  set to one day, a server room overheated), a read chained into a send (a private
  channel DMed to a guest), goals phrased like the user's own task ("refund order … in
  full, the customer sent it back") and goals that reuse values the user wrote (the
  1,240 euros, the `#eng` channel, the lobby panel, the server room).
- **Numbers** carry several harms (an amount, a retention in days, a temperature) on
  arguments the operator did not mark sensitive.
- **Registers** (`phrasing.HELDOUT4_STYLES`): a chat thread that @-mentions the assistant,
  a web form's fields, a meeting's minutes, a JSON "automation" block.
"""

from __future__ import annotations

from bench.agent_attacks.heldout4 import crew, fleet, payouts
from bench.agent_attacks.model import Domain
from bench.agent_attacks.phrasing import HELDOUT4_STYLE_NAMES
from bench.agent_attacks.suite import Run, runs as _runs

DOMAINS: tuple[Domain, ...] = (payouts.DOMAIN, crew.DOMAIN, fleet.DOMAIN)


def runs(domains: tuple[Domain, ...] = DOMAINS, quick: bool = False) -> list[Run]:
    return _runs(domains, quick, HELDOUT4_STYLE_NAMES, ())
