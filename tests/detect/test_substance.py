"""substance.py: rare earths as the subject of a text, or a passing mention."""

from __future__ import annotations

import pytest

from monitor.detect.substance import is_subject, rare_earth_substance


@pytest.mark.parametrize(
    ("title", "text", "subject", "why"),
    [
        ("稀土出口管制再收紧", "正文。", True, "subject: rare earths in the headline"),
        ("Market wrap", "Dysprosium rose. Terbium too. Rare earths led. Oil fell. Gold too.",
         True, "substantive: rare earths in 3 of 5 sentences"),
        ("Notice", "Export controls on rare-earth magnets", True,
         "substantive: rare earths in 1 of 1 sentences"),
        ("美中经贸安排延长", "记者\n依第70号公告，稀土等管制暂停期限原定11月10日届满。", True,
         "substantive: what is still to happen to a rare-earth measure"),
        ("镓价周评", "镓价上涨。此前管制还覆盖了稀土。", False,
         "passing mention: rare earths in 1 sentence(s), not the subject"),
        ("Gallium weekly", "Prices rose; several rare earths were listed in 2025.", False,
         "passing mention: rare earths in 1 sentence(s), not the subject"),
    ],
)  # fmt: skip
def test_subject_substantive_or_passing(title: str, text: str, subject: bool, why: str) -> None:
    assert is_subject(title, text) == (subject, why)


def test_history_is_not_what_is_still_to_happen() -> None:
    found = rare_earth_substance("第72号公告要点", "第70号公告暂停实施了稀土等管制。镓锗不变。")
    assert (found.in_title, found.sentences, found.total, found.future) == (False, 1, 2, False)
