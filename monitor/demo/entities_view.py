"""The lists of parties at the end of the demo: how many parties each list holds on the
date, by status, and a few of them (from the /entities.json document)."""

from __future__ import annotations

from collections import Counter
from typing import Any

LABELS = {
    "control_list": "Control List (管控名单)",
    "watch_list": "Watch List (关注名单)",
    "unreliable_entity": "Unreliable Entity List (不可靠实体清单)",
    "countermeasure": "countermeasures (反制措施)",
}


def entities_summary(document: dict[str, Any], *, examples: int = 2) -> str:
    counts: Counter[tuple[str, str]] = Counter()
    shown: dict[str, list[str]] = {}
    for entity in document["entities"]:
        for listing in entity["listings"]:
            counts[(listing["list"], listing["status"])] += 1
            names = shown.setdefault(listing["list"], [])
            if len(names) < examples:
                english = f" ({entity['name_en']})" if entity["name_en"] else ""
                names.append(f"{entity['name']}{english}, {listing['doc_key']}")
    if not counts:
        return "  (no parties listed yet)"
    lines = []
    for list_name, label in LABELS.items():
        statuses = {s: n for (name, s), n in sorted(counts.items()) if name == list_name}
        if not statuses:
            continue
        lines.append(f"  {label}: " + ", ".join(f"{n} {s}" for s, n in statuses.items()))
        lines.extend(f"      e.g. {name}" for name in shown[list_name])
    return "\n".join(lines)
