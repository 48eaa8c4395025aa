"""Text decoded with the wrong charset is recognised; double-encoded UTF-8 is repaired."""

from __future__ import annotations

import pytest

from monitor.fetch.mojibake import looks_like_mojibake, repair_utf8_as_latin

NOTICE = "商务部公告2025年第62号 公布对稀土相关技术实施出口管制的决定"


@pytest.mark.parametrize(
    "garbled",
    [
        NOTICE.encode().decode("latin-1"),  # UTF-8 read as Latin-1
        NOTICE.encode().decode("cp1252", errors="replace"),  # … as Windows-1252
        NOTICE.encode("gb18030").decode("latin-1"),  # GB18030 read as Latin-1: ÉÌÎñ²¿
    ],
)
def test_wrongly_decoded_text_is_recognised(garbled: str) -> None:
    assert looks_like_mojibake(garbled)


@pytest.mark.parametrize(
    "clean",
    [
        NOTICE,
        "MOFCOM Announcement No. 62 of 2025 — controls on rare-earth technologies (1E902.a)",
        "Règlement d'exécution (UE) 2025/1234 — terres rares, édition révisée",
        "Maßnahmen für Seltene Erden: Grüße, Änderungen, Übersicht",
        "「稀土」“出口管制”…—·《公告》",
    ],
)
def test_real_text_is_not_mojibake(clean: str) -> None:
    assert not looks_like_mojibake(clean)


def test_utf8_read_as_latin1_or_cp1252_is_repaired() -> None:
    assert repair_utf8_as_latin(NOTICE.encode().decode("latin-1")) == NOTICE
    curly = "‘稀土’"  # every byte defined in cp1252
    assert repair_utf8_as_latin(curly.encode().decode("cp1252")) == curly


def test_what_cannot_be_repaired_is_left_alone() -> None:
    assert repair_utf8_as_latin(NOTICE) is None
    assert repair_utf8_as_latin("Règlement révisé") is None
    lossy = NOTICE.encode().decode("cp1252", errors="replace")
    assert repair_utf8_as_latin(lossy) is None
