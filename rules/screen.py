"""The screen at the door: a cheap look for posts that may need PR or a lead within seconds."""

from __future__ import annotations

from rules.danger import DangerReader
from rules.mention import Mention
from rules.playbook import Playbook
from rules.reach import reach
from rules.risk import RiskReader


class Screen:
    """Finds the posts triage should take before any queue of ordinary ones: a risk phrase
    (legal, safety, media, ...), a sign that someone may be in danger, or an author on the VIP
    list or of high reach. It only orders the work; the engine still decides each post, so a
    false alarm here costs nothing but its place in the line.

    About a microsecond a post when nothing matches: the readers look once with one regex each.
    """

    def __init__(self, playbook: Playbook) -> None:
        self._risks = RiskReader(playbook.risks)
        self._danger = DangerReader(playbook.danger.self_harm, playbook.danger.threats)
        self._vip = frozenset(playbook.vip)  # as the engine reads it
        t = playbook.thresholds
        self._reach = (t.influential_followers, t.high_reach_followers, t.verified_is_influential)

    def urgent(self, mention: Mention) -> bool:
        who = reach(mention.author, self._vip, *self._reach)
        if who.vip or who.level == "high":
            return True
        return bool(self._risks.risks(mention.text)) or self._danger.read(mention.text) is not None
