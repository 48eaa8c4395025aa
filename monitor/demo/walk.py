"""`regwatch demo`: the newcomer's walk-through, fully offline.

A `ReplaySite` on 127.0.0.1 serves the gold corpus the way MOFCOM would, a `SlackStandIn`
plays Slack, and the real daemon (`Daemon` + `runtime_jobs`: scheduler, fetch, parse,
store, diff, classify, outbox, Slack through slack-sdk, daily digests) runs on a temporary
SQLite store with the feed server beside it. The daemon's clock is a `FixedClock` that the
demo moves from moment to moment of the rare-earth timeline (`demo_world.demo_steps`): at
each one it publishes that day's pages, sets the clock, and waits until the daemon has
polled every source, run its date checks, delivered the Slack alerts and sent the due
digests, before it shows what happened and moves on. Nothing waits for simulated time, so
`--speed` has nothing to scale: it is accepted and ignored.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx

from monitor.clock import FixedClock
from monitor.controls.queries import stored_controls
from monitor.daemon.jobs import Jobs, runtime_jobs
from monitor.daemon.timer import Daemon
from monitor.deliver.channels import Channels
from monitor.deliver.channels.slack import SlackChannel
from monitor.demo import view
from monitor.demo.entities_view import entities_summary
from monitor.demo.world import (
    SLACK_TOKEN,
    TODAY,
    FileMailSender,
    Step,
    demo_settings,
    demo_steps,
    load_timeline,
    next_morning,
)
from monitor.errors import RegwatchError, UsageError
from monitor.logs import configure_from_settings
from monitor.models import SourceDef
from monitor.replay.site import ReplaySite
from monitor.replay.slack import SlackStandIn
from monitor.runtime import Runtime, open_runtime
from monitor.serve.runner import start_in_thread
from monitor.store.leases import ensure_source_rows
from monitor.store.summary import events_after, notice_count, pending_outbox_rows

DEFAULT_OUTPUT = Path("demo-output")
STEP_TIMEOUT_S = 30.0  # per wait; a healthy step takes well under a second
WORKER = "demo"
KEPT_STORE = "regwatch-demo.db"  # the store file demo_settings puts in the data folder
DEMO_HS = "2805301910"  # samarium metal, printed by No. 18
ATTACHMENT = b"%PDF-1.4\n% regwatch demo: stands in for the notice's item list\n"


class DemoError(RegwatchError):
    """The daemon did not get through a step of the demo."""


class StepDaemon(Daemon):
    """The daemon with every job on every tick: the demo's clock jumps days at a time, so
    the digest and health checks must not wait for a simulated minute of wall time."""

    def job_intervals(self) -> dict[str, float]:
        return dict.fromkeys(super().job_intervals(), self.schedule.tick_s)


class JobProbe:
    """Wraps the daemon's jobs to learn when a run that started after a moment has finished.

    Every run takes a ticket when it starts; `mark()` is the last ticket handed out, so a run
    with a higher ticket started after the mark, and saw whatever was done before it.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._ticket = 0
        self._done: dict[str, int] = {}
        self._poll_ticket: dict[str, int] = {}
        self.outcomes: dict[str, Any] = {}

    def mark(self) -> int:
        with self._cond:
            return self._ticket

    def _start(self) -> int:
        with self._cond:
            self._ticket += 1
            return self._ticket

    def _finish(self, name: str, ticket: int) -> None:
        with self._cond:
            self._done[name] = max(self._done.get(name, 0), ticket)
            self._cond.notify_all()

    def wrap(self, jobs: Jobs) -> Jobs:
        def timed(name: str, job: Callable[[], object]) -> Callable[[], object]:
            def run() -> object:
                ticket = self._start()
                try:
                    return job()
                finally:
                    self._finish(name, ticket)

            return run

        def poll(source: SourceDef) -> Any:
            ticket = self._start()
            with self._cond:
                self._poll_ticket[source.id] = ticket
            outcome = jobs.poll(source)
            self.outcomes[source.id] = outcome
            return outcome

        def finish(source: SourceDef, now: datetime) -> object:
            try:
                return jobs.finish(source, now)
            finally:  # a poll is over once its lease is free and its next poll scheduled
                with self._cond:
                    ticket = self._poll_ticket.get(source.id, 0)
                self._finish(f"poll:{source.id}", ticket)

        return dataclasses.replace(
            jobs,
            poll=poll,
            finish=finish,
            deliver=timed("deliver", jobs.deliver),
            digests=timed("digests", jobs.digests),
            clock_events=timed("clock", jobs.clock_events),
        )

    def wait(self, names: Iterable[str], after: int, timeout_s: float = STEP_TIMEOUT_S) -> None:
        """Until each named job finished a run that started after the mark `after`."""
        wanted = list(names)
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while late := [n for n in wanted if self._done.get(n, 0) <= after]:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DemoError(f"the daemon did not finish {', '.join(late)} in time")
                self._cond.wait(min(left, 0.5))


@dataclass
class Walkthrough:
    """Runs the steps against the daemon and tells the reader what happened."""

    rt: Runtime
    daemon: Daemon  # started by the first step, once its pages are on the site
    clock: FixedClock
    probe: JobProbe
    site: ReplaySite
    slack: SlackStandIn
    mail: FileMailSender
    out: TextIO
    color: bool = False
    alerts: int = 0
    digests: int = 0
    started: bool = field(default=False, init=False)
    messages_seen: int = field(default=0, init=False)
    last_event_seq: int = field(default=0, init=False)

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self, steps: Iterable[Step]) -> None:
        planned = list(steps)
        index = 0
        while index < len(planned):
            step = planned[index]
            self.publish(step)
            if not step.morning:
                self.say(view.step_line(step))
            self.settle(step.at)
            self.show(step)
            later = planned[index + 1].at if index + 1 < len(planned) else None
            morning = next_morning(step.at)
            if later is not None and morning < later and self.pending_rows(email=True):
                planned.insert(index + 1, Step(morning, morning=True))
            index += 1

    def publish(self, step: Step) -> None:
        for page in step.pages:
            self.site.publish(
                page.url, page.html, title=page.title, date=page.published, column=page.column
            )
            for url in page.attachments:
                self.site.add_attachment(url, ATTACHMENT)

    def settle(self, moment: datetime) -> None:
        """Set the clock, then wait for the polls, the date checks, delivery and digests."""
        self.clock.set(moment)
        mark = self.probe.mark()
        if not self.started:  # only now: a first poll of an empty site would be the baseline
            self.daemon.start()
            self.started = True
        self.probe.wait([f"poll:{sid}" for sid in self.rt.sources], mark)
        self.probe.wait(["clock"], self.probe.mark())
        self.probe.wait(["deliver", "digests"], self.probe.mark())
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while self.pending_rows(email=False):  # more than one batch, or a retried 429
            if time.monotonic() > deadline:
                raise DemoError("Slack alerts are still waiting in the outbox")
            self.probe.wait(["deliver"], self.probe.mark())
        for source_id, outcome in sorted(self.probe.outcomes.items()):
            if getattr(outcome, "ok", True) is False:
                self.say(f"  ! {source_id} failed to poll: {outcome.error}")

    def show(self, step: Step) -> None:
        new_events = self.new_events()
        messages = self.slack.messages[self.messages_seen :]
        self.messages_seen += len(messages)
        written = self.mail.take()
        if step.morning:
            self.say(view.step_line(step))
        if step.baseline:
            self.say(f"  stored {notice_count(self.rt.store)} notices as the baseline, silently")
        elif line := view.events_line(new_events):
            self.say(line)
        for message, channels in view.group_by_event(messages):
            self.alerts += 1
            self.say(view.alert_lines(message, channels, color=self.color))
        for digest in written:
            self.digests += 1
            self.say(view.digest_lines(digest))
        if not (step.morning or step.baseline or messages):
            self.say("  no Slack alert: nothing rare-earth relevant for these subscribers")

    def new_events(self) -> list[tuple[str, bool]]:
        found = events_after(self.rt.store, self.last_event_seq)
        if found:
            self.last_event_seq = found[-1].seq
        return [(event.kind, event.relevant) for event in found]

    def pending_rows(self, *, email: bool) -> int:
        """Outbox rows still to send: digest rows (`email`) or Slack alerts."""
        return pending_outbox_rows(self.rt.store, email=email)


def run_demo(
    *,
    speed: float | None = None,
    output: Path | None = None,
    keep: Path | None = None,
    stay: bool = False,
) -> int:
    """Run the walk-through: 0 when it went through, 1 when the daemon got stuck, 130 on
    Ctrl-C. `speed` is ignored (see the module docstring). `keep` keeps the store (and a
    config to serve it) in that folder; `stay` leaves the web pages up until Ctrl-C. A folder
    that cannot be created is a `UsageError`."""
    del speed  # the clock is step-driven
    started = time.monotonic()
    folder = (output or DEFAULT_OUTPUT).resolve()
    if keep is not None and (keep / KEPT_STORE).exists():
        raise UsageError(f"--keep: {keep} already holds a demo store; choose an empty folder")
    for option, path in (("--output", folder), ("--keep", keep)):
        try:
            if path is not None:
                path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{option}: cannot create the folder {path}: {exc}") from None
    try:
        with (
            tempfile.TemporaryDirectory(prefix="regwatch-demo-") as tmp,
            ReplaySite() as site,
            SlackStandIn(SLACK_TOKEN) as slack,
        ):
            data_dir = keep.resolve() if keep is not None else Path(tmp)
            _walk(data_dir, folder, site, slack, sys.stdout, kept=keep is not None, stay=stay)
    except DemoError as exc:
        sys.stderr.write(f"regwatch demo: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("regwatch demo: interrupted\n")
        return 130
    sys.stdout.write(f"\nDone in {time.monotonic() - started:.0f} s.\n")
    return 0


def _walk(
    tmp: Path,
    folder: Path,
    site: ReplaySite,
    slack: SlackStandIn,
    out: TextIO,
    *,
    kept: bool = False,
    stay: bool = False,
) -> None:
    settings = demo_settings(tmp, site_url=site.base_url, slack_api_url=slack.api_url)
    configure_from_settings(settings)
    # With a 50 ms tick a job often finds its previous run still busy: APScheduler would warn.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    steps = demo_steps(load_timeline())
    clock = FixedClock(steps[0].at)
    mail = FileMailSender(folder)
    assert settings.slack is not None
    channels = Channels(slack=SlackChannel(settings.slack, SLACK_TOKEN), email=mail)
    rt = open_runtime(settings, clock=clock, channels=channels)
    probe = JobProbe()
    daemon: Daemon | None = None
    http = None
    try:
        ensure_source_rows(rt.store, rt.sources.values())
        http = start_in_thread(settings, rt.store, clock, port=0)
        out.write(
            view.intro(
                settings,
                site_url=site.base_url,
                slack_url=slack.api_url,
                server_url=http.url,
                output=str(folder),
            )
            + "\n"
        )
        daemon = StepDaemon(
            probe.wrap(runtime_jobs(rt, WORKER)),
            clock=clock,
            schedule=settings.schedule,
            delivery_interval_s=settings.delivery.interval_s,
            worker=WORKER,
        )
        walk = Walkthrough(
            rt, daemon, clock, probe, site, slack, mail, out, color=_is_terminal(out)
        )
        walk.run(steps)
        _finale(walk, http.url, folder)
        daemon.stop(grace_s=5.0)
        daemon = None
        _pages(walk, http.url, tmp if kept else None, settings.store.url, stay=stay)
    finally:
        if daemon is not None:
            daemon.stop(grace_s=5.0)
        if http is not None:
            http.stop(2.0)
        rt.close()


def _finale(walk: Walkthrough, server_url: str, folder: Path) -> None:
    """The controls state and the feed, read from the running server, saved and shown (the
    table from the same state, read as typed values)."""
    with httpx.Client(base_url=server_url, timeout=10) as client:
        controls = client.get("/controls.json").raise_for_status().json()
        feed = client.get("/feed.json", params={"all": "1"}).raise_for_status().json()
        parties = client.get("/entities.json").raise_for_status().json()
    for name, document in (
        ("controls.json", controls),
        ("feed.json", feed),
        ("entities.json", parties),
    ):
        text = json.dumps(document, ensure_ascii=False, indent=2)
        (folder / name).write_text(text + "\n", encoding="utf-8")
    as_of = date.fromisoformat(controls["as_of"])
    walk.say(f"\n▶ The controls state today, {as_of} ({server_url}/controls.json)\n")
    walk.say(view.controls_table(stored_controls(walk.rt.store, as_of)))
    walk.say(f"\n▶ The lists of parties today ({server_url}/entities.json)\n")
    walk.say(entities_summary(parties))
    with httpx.Client(base_url=server_url, timeout=10) as client:
        lookup = client.get("/controls.json", params={"hs": DEMO_HS, "as_of": as_of.isoformat()})
    walk.say(f"\n▶ Is HS {DEMO_HS} controlled? ({server_url}/controls.json?hs={DEMO_HS})\n")
    walk.say(view.hs_answer(lookup.raise_for_status().json()))
    shown = len(feed.get("items", []))
    count = f"{shown} events" if not feed.get("next_url") else f"more than {shown} events"
    walk.say(
        f"\n{count} in the feed, {walk.alerts} Slack alerts, {walk.digests} digest emails.\n"
        "The digests (.eml and .html), feed.json, controls.json and entities.json are in "
        f"{folder}\n"
        "Next: README.md, 'Using it for real'."
    )


def _pages(
    walk: Walkthrough, server_url: str, kept: Path | None, store_url: str, *, stay: bool
) -> None:
    """Where to look at the story in a browser: now (`stay`), or later on the kept store."""
    walk.say(f"\nThe web pages: {server_url}/  (the timeline: {server_url}/controls)")
    if kept is not None:
        data_dir, config = kept, kept / "regwatch.toml"
        config.write_text(
            # JSON strings are TOML basic strings: the paths stay intact, quotes and all.
            f"data_dir = {json.dumps(str(data_dir))}\n[store]\nurl = {json.dumps(store_url)}\n"
            '[server]\nlisten = "127.0.0.1:8080"\n',
            encoding="utf-8",
        )
        walk.say(
            f"The store is kept in {data_dir}. To look again later:\n"
            f"  regwatch --config {config} --now {TODAY.isoformat()}T09:00:00+08:00 serve\n"
            "  and open http://127.0.0.1:8080/"
        )
    if not stay:
        walk.say("They close with the demo: `regwatch demo --stay` keeps them up until Ctrl-C.")
        return
    walk.say("The pages stay up until you press Ctrl-C.")
    with suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
