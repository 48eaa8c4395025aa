"""What `regwatch demo` sets up: the replayed timeline, its settings, and a file mail sender.

The gold corpus (monitor/corpus, package data) holds every page as MOFCOM serves it and
`timeline.json` the days they appeared. The demo publishes them on a `ReplaySite` day by
day; `demo_steps` turns the timeline into the moments the demo's clock visits.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.clock import BEIJING
from monitor.config import Settings, build_settings
from monitor.errors import DeliveryError

# The first alert of the story: everything published before it is the silent baseline.
FIRST_ALERT_DAY = date(2025, 4, 4)
TODAY = date(2026, 11, 21)
LAPSE_DAY = date(2026, 11, 11)  # No. 70 suspended Nos. 55-58, 61, 62 until 2026-11-10
LAPSE_NOTE = "No. 70's suspension ended on 2026-11-10 and no notice extended it"
SOURCE_IDS = ("mofcom-zcfb", "mofcom-aqygzj")
POLL_AT = time(23, 30)  # after the day's last notice went up (No. 70: 2025-11-07 evening)
DIGEST_CHECK_AT = time(8, 30)  # subscribers' digest_at is 08:00: yesterday's digest is due
SLACK_TOKEN = "xoxb-regwatch-demo"
_ATTACHMENT = re.compile(r'href="([^"]*/cms_files/[^"]+)"')


@dataclass(frozen=True)
class CorpusPage:
    stem: str
    url: str  # where the real site serves it
    html: str
    title: str  # as the column list shows it
    published: date
    label: str  # document number, else the title
    relevant: bool

    @property
    def column(self) -> str:
        """The replayed jpaas column that lists it (its real host decides)."""
        host = urlsplit(self.url).hostname or ""
        return "aqygzj" if host.startswith("aqygzj.") else "zcfb"

    @property
    def attachments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_ATTACHMENT.findall(self.html)))


@dataclass(frozen=True)
class Step:
    """One moment the demo's clock visits: publish `pages`, then let the daemon work."""

    at: datetime  # aware, Beijing
    pages: tuple[CorpusPage, ...] = ()
    note: str = ""
    morning: bool = False  # the "next morning" visit that lets the daily digests go out
    baseline: bool = False


def _corpus_dir() -> Any:
    return resources.files("monitor").joinpath("corpus")


def load_page(stem: str) -> CorpusPage:
    folder = _corpus_dir()
    meta = json.loads(folder.joinpath(f"{stem}.json").read_text("utf-8"))
    labels = meta.get("labels", {})
    title = str(meta.get("list_title") or labels.get("doc_number") or stem)
    return CorpusPage(
        stem=stem,
        url=str(meta["url"]),
        html=folder.joinpath(f"{stem}.html").read_text("utf-8"),
        title=title,
        published=date.fromisoformat(str(labels["published"])),
        label=str(labels.get("doc_number") or title),
        relevant=bool(labels.get("relevant")),
    )


def load_timeline() -> list[tuple[date, tuple[CorpusPage, ...]]]:
    """corpus/timeline.json: [(day, pages published that day)], oldest first."""
    raw = json.loads(_corpus_dir().joinpath("timeline.json").read_text("utf-8"))
    days = [
        (date.fromisoformat(entry["date"]), tuple(load_page(stem) for stem in entry["publish"]))
        for entry in raw
    ]
    return sorted(days, key=lambda day: day[0])


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, BEIJING)


def demo_steps(timeline: Sequence[tuple[date, tuple[CorpusPage, ...]]]) -> list[Step]:
    """The baseline, each publication day, the day after the lapse, and today.

    The walk-through adds a "next morning" after any moment that left digests to send.
    """
    older = tuple(page for day, pages in timeline if day < FIRST_ALERT_DAY for page in pages)
    steps = [
        Step(
            _at(FIRST_ALERT_DAY - timedelta(days=1), time(9, 0)),
            older,
            note="first poll: the silent baseline",
            baseline=True,
        )
    ]
    steps += [Step(_at(day, POLL_AT), pages) for day, pages in timeline if day >= FIRST_ALERT_DAY]
    steps.append(Step(_at(LAPSE_DAY, time(9, 0)), note=LAPSE_NOTE))
    steps.append(Step(_at(TODAY, time(9, 0)), note="today"))
    return sorted(steps, key=lambda step: step.at)


def next_morning(moment: datetime) -> datetime:
    """When the digest of `moment`'s day is due (digest_at 08:00) and checked."""
    return _at(moment.astimezone(BEIJING).date() + timedelta(days=1), DIGEST_CHECK_AT)


def demo_settings(
    data_dir: Path, *, site_url: str, slack_api_url: str, tick_s: float = 0.05
) -> Settings:
    """The demo's configuration: the replay as both MOFCOM sources, two subscribers."""
    source = {"base_url": site_url, "politeness": 0, "interval": "1h", "retries": 0}
    return build_settings(
        {
            "data_dir": str(data_dir),
            "store": {"url": f"sqlite:///{data_dir / 'regwatch-demo.db'}"},
            "server": {"listen": "127.0.0.1:0"},
            "sources": {"enabled": list(SOURCE_IDS), **{sid: source for sid in SOURCE_IDS}},
            "slack": {"token_env": "REGWATCH_DEMO_SLACK_TOKEN", "api_url": slack_api_url},
            "email": {
                "host": "localhost",
                "port": 25,
                "starttls": False,
                "sender": "regwatch-demo@example.com",
            },
            "subscribers": [
                {
                    "name": "magnets",
                    "slack_channel": "#ree-alerts",
                    "email": ["magnets-team@example.com"],
                    "watch": {
                        "elements": ["Dy", "Tb"],
                        "control_codes": ["1C904*", "1C905*"],
                        "keywords": ["钕铁硼", "NdFeB"],
                    },
                },
                {
                    "name": "all-rare-earths",
                    "slack_channel": "#rare-earths",
                    "email": ["compliance@example.com"],
                },
            ],
            # The clock jumps weeks between polls: "stale" would only be the demo's doing.
            "operator": {"stale_after": "1000d"},
            "delivery": {"interval": tick_s},
            "schedule": {"tick": tick_s, "jitter": 0, "lease": "5m", "max_workers": 2},
            "logging": {"level": "WARNING"},
        },
        path=None,
    )


@dataclass(frozen=True)
class WrittenDigest:
    subscriber: str
    subject: str
    eml: Path
    html: Path


class FileMailSender:
    """A `MailSender` that writes each digest as `<name>.eml` and `<name>.html` files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._written: list[WrittenDigest] = []

    def send(self, message: EmailMessage) -> None:
        subscriber = _subscriber_of(message)
        stem = f"digest-{_digest_date(message)}-{subscriber}"
        html_part = message.get_body(preferencelist=("html",))
        html = html_part.get_content() if html_part is not None else ""
        eml, page = self.folder / f"{stem}.eml", self.folder / f"{stem}.html"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            eml.write_bytes(message.as_bytes())
            page.write_text(str(html), encoding="utf-8")
        except OSError as exc:
            raise DeliveryError(f"cannot write {eml}: {exc}", retryable=False) from None
        with self._lock:
            self._written.append(WrittenDigest(subscriber, str(message["Subject"]), eml, page))

    def take(self) -> list[WrittenDigest]:
        """The digests written since the last call."""
        with self._lock:
            written, self._written = self._written, []
        return written


def _digest_date(message: EmailMessage) -> str:
    found = re.search(r"\d{4}-\d{2}-\d{2}", str(message["Subject"] or ""))
    return found.group(0) if found else "undated"


def _subscriber_of(message: EmailMessage) -> str:
    # Message-ID is <digest.DATE.SUBSCRIBER-SLUG@regwatch> (monitor/channels/email.py).
    found = re.match(r"<digest\.[\d-]+\.([^@>]+)@", str(message["Message-ID"] or ""))
    return found.group(1) if found else "subscriber"
