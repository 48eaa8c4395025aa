"""Every stored relevant notice is re-read once a day, spread over the hours."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from monitor.adapters.recheck import BUCKETS, bucket, due_buckets, due_urls

DAY = 86_400.0
T0 = datetime(2025, 11, 8, 0, 30, tzinfo=UTC)


def test_the_first_recheck_reads_the_current_hour_only() -> None:
    first = due_buckets(None, T0, DAY)
    assert len(first) == 1 and first == due_buckets(T0 - timedelta(hours=1), T0, DAY)


def test_hourly_rechecks_cover_every_bucket_once_a_day() -> None:
    seen: Counter[int] = Counter()
    last = T0
    for hour in range(1, 25):
        now = T0 + timedelta(hours=hour)
        seen.update(due_buckets(last, now, DAY))
        last = now
    assert seen == Counter(range(BUCKETS))


def test_drifting_rechecks_skip_no_hour() -> None:
    seen: set[int] = set()
    last = T0
    for minutes in (59, 121, 125, 300, 301, 24 * 60):  # late, early, twice in one hour
        now = T0 + timedelta(minutes=minutes)
        seen |= due_buckets(last, now, DAY)
        last = now
    assert seen == set(range(BUCKETS))


def test_after_a_whole_period_everything_is_due() -> None:
    assert due_buckets(T0, T0 + timedelta(days=2), DAY) == set(range(BUCKETS))
    assert due_buckets(T0, T0 + timedelta(minutes=1), DAY) == set()


def test_due_urls_pick_by_bucket() -> None:
    urls = [f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{n:032x}.html" for n in range(200)]
    hour = due_buckets(T0, T0 + timedelta(hours=1), DAY)
    picked = due_urls(urls, T0, T0 + timedelta(hours=1), DAY)
    assert picked and all(bucket(u) in hour for u in picked)
    assert len(picked) < len(urls) // 10
