"""'Group' as an everyday word: 'the employment status group with the highest churn score', 'each group's share of
the total'.

The semantic model lets the bare word *group* name the campaign's treatment/control column (in a campaign question
"which group had the higher ROI?" means that). Beside another grouping it is the everyday word: right after a
column's name it restates it (*employment status group*, *age group* is not a column here and stays unread), and
after *each* it points back at the groups named before (*spend by category group with each group's share*). In
both cases it groups by nothing of its own.
"""

from __future__ import annotations

from c360.assistant.reading.items import Item, Reading, Refusal, prev_item
from c360.assistant.reading.lookups import Lookups


def generic_group(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, item in enumerate(items):
        if item.used or item.kind != "LEX" or [t.lemma for t in item.tokens] != ["group"]:
            continue
        before = prev_item(items, idx)
        if before is None:
            continue
        restates = before.kind == "LEX" and bool(before.of("dimension")) and before.end == item.start
        points_back = (
            before.kind == "GROUP"
            and before.tokens[-1].lemma in ("each", "every")
            and any(
                i is not item and i.kind == "LEX" and i.of("dimension") and not _campaign(i) for i in items
            )
        )
        if restates and not _campaign(before):
            item.used = True  # "employment status group": the column named before
        elif points_back:
            item.used = before.used = True  # "with each group's share": the groups named before
    return None


def _campaign(item: Item) -> bool:
    """The campaign's own group column (its name, not the everyday word)."""
    return any(e.column == "campaign_group" for e in item.of("dimension"))
