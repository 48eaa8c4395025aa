"""The controls state read from the store."""

from __future__ import annotations

from datetime import UTC, date, datetime

from monitor.codec import facts_to_json, verdict_to_json
from monitor.controls.queries import stored_controls
from monitor.models import MeasureStatus, Verdict
from monitor.store import Store
from monitor.store.tables import notices
from tests.controls.test_state import rec, whole

SEEN = datetime(2025, 10, 9, 15, 30, tzinfo=UTC)


def test_state_of_the_stored_notices_on_a_date(store: Store) -> None:
    assert stored_controls(store, date(2025, 11, 8)).measures == ()
    record = rec("MOFCOM-2025-57", "2025-10-09", effective=whole("2025-11-08"), codes=("1C909",))
    withdrawn = rec("MOFCOM-2025-99", "2025-10-09")
    with store.begin() as connection:
        connection.execute(
            notices.insert(),
            [
                {
                    "doc_key": r.doc_key,
                    "doc_number": r.doc_number,
                    "title": r.title,
                    "url": r.url,
                    "source_id": "mofcom-zcfb",
                    "published": r.published,
                    "facts": facts_to_json(r.facts),
                    "verdict": verdict_to_json(Verdict(relevant=True)),
                    "attachments": [],
                    "content_hash": "0" * 64,
                    "first_seen_at": SEEN,
                    "last_seen_at": SEEN,
                    "withdrawn_at": SEEN if r is withdrawn else None,
                }
                for r in (record, withdrawn)
            ],
        )
    before = stored_controls(store, date(2025, 11, 7))
    (measure,) = before.measures
    assert (measure.doc_key, measure.status, measure.rare_earth) == (
        "MOFCOM-2025-57",
        MeasureStatus.PENDING,
        True,
    )
    after = stored_controls(store, date(2025, 11, 8))
    assert after.measures[0].status is MeasureStatus.IN_FORCE
    listed = {c.code: c.listed_in.value for c in after.controls}
    # 1C909 printed by the notice; the code table gives No. 57 the rest of its codes.
    assert listed == {
        "1C909": "notice",
        **dict.fromkeys(["1C910", "1C911", "1C912", "1C913"], "code table"),
    }
