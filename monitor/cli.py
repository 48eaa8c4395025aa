"""The `regwatch` command line (CONTRACT.md § Command line).

User mistakes (bad config, unknown source, unreachable store, bad date) print one line
and exit 2; a source that failed to poll makes `poll` exit 3 after the rest were done.

A command imports inside its function what only it needs and what takes long to import
(the store, the adapters, the pipeline, delivery, the controls state, the HTTP server, the
daemon, the demo: 30 to 370 ms each, ``python -X importtime -m monitor --help``), so
``--help`` and the quick read commands do not pay for the others: ``--help`` imports neither
the store nor HTTP, and ``controls``, ``feed`` and ``sources`` import no fetch, delivery,
scheduler or server stack (tests/test_cli_imports.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from monitor.clock import beijing_date, clock_for
from monitor.config import Settings, load_settings
from monitor.errors import ConfigError, RegwatchError, StoreError, UsageError
from monitor.logs import configure_from_settings

if TYPE_CHECKING:
    from monitor.runtime import Runtime

EXIT_USAGE = 2
EXIT_SOURCE_FAILED = 3


def _fail(message: str) -> NoReturn:
    click.echo(f"regwatch: {message}", err=True)
    sys.exit(EXIT_USAGE)


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except (ConfigError, UsageError, StoreError) as exc:
        _fail(str(exc))
    except RegwatchError as exc:
        _fail(str(exc))


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: expected a date YYYY-MM-DD, got {value!r}") from None


class _State:
    def __init__(self, config: Path | None, now: str | None) -> None:
        self.config = config
        self.now = now
        self._settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config, now=self.now)
            configure_from_settings(self._settings)
        return self._settings

    def runtime(self) -> Runtime:
        from monitor.runtime import open_runtime  # the fetch and delivery stacks

        return open_runtime(self.settings())


pass_state = click.make_pass_decorator(_State)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=None,
    help="Config file (TOML). Default: $REGWATCH_CONFIG, else built-in defaults.",
)
@click.option(
    "--now",
    "now",
    default=None,
    metavar="TIMESTAMP",
    help="Pin the clock (ISO 8601 with offset), e.g. 2026-11-21T09:00:00+08:00. "
    "Also $REGWATCH_NOW.",
)
@click.version_option(package_name="regwatch")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, now: str | None) -> None:
    """regwatch: know within minutes when a rare-earth export-control notice appears,
    changes, takes effect or lapses.

    \b
    Examples:
      regwatch demo                      # offline walk-through, no accounts needed
      regwatch --config regwatch.toml run
      regwatch poll mofcom-zcfb
      regwatch controls --as-of 2025-11-08
    """
    ctx.obj = _State(config, now)


@cli.command()
@click.argument("source_ids", nargs=-1, metavar="[SOURCE-ID ...]")
@pass_state
def poll(state: _State, source_ids: tuple[str, ...]) -> None:
    """Poll sources once, run the date checks, and deliver what is due.

    Exit 0 when every source was polled, 3 when some failed (named on stderr).

    \b
    Examples:
      regwatch poll                  # every enabled source
      regwatch poll mofcom-zcfb
    """
    from monitor.controls.clock_events import run_clock
    from monitor.pipeline import poll_sources

    with _user_errors():
        rt = state.runtime()
        try:
            unknown = [s for s in source_ids if s not in rt.sources]
            if unknown:
                raise UsageError(
                    f"unknown source {unknown[0]!r} (known: {', '.join(sorted(rt.sources))})"
                )
            failed = []
            # One poll of every source: every copy is filed before any event is made.
            polled = [rt.sources[s] for s in source_ids or tuple(rt.sources)]
            for outcome in poll_sources(rt, polled):
                if not outcome.ok:
                    failed.append(outcome)
                    click.echo(
                        f"regwatch: source {outcome.source_id} failed: {outcome.error}", err=True
                    )
            run_clock(rt)
            _deliver(rt)
        finally:
            rt.close()
    if failed:
        sys.exit(EXIT_SOURCE_FAILED)


def _deliver(rt: Runtime) -> None:
    from monitor.deliver.digest import send_due_digests
    from monitor.deliver.outbox import deliver_due

    deliver_due(rt.store, rt.settings, rt.clock, rt.channels)
    if rt.channels.email is not None:
        send_due_digests(rt.store, rt.settings, rt.clock, rt.channels.email, channels=rt.channels)


@cli.command()
@click.option(
    "--since", "since", required=True, metavar="YYYY-MM-DD", help="Walk back to this date."
)
@click.argument("source_ids", nargs=-1, metavar="[SOURCE-ID ...]")
@pass_state
def backfill(state: _State, since: str, source_ids: tuple[str, ...]) -> None:
    """Store a source's history back to a date, politely, without alerting.

    \b
    Example:
      regwatch backfill --since 2023-01-01 mofcom-zcfb
    """
    from monitor.pipeline import poll_source

    with _user_errors():
        start = _parse_date(since, "--since")
        rt = state.runtime()
        try:
            unknown = [s for s in source_ids if s not in rt.sources]
            if unknown:
                raise UsageError(f"unknown source {unknown[0]!r}")
            failed = False
            for source_id in source_ids or tuple(rt.sources):
                with _progress_line(source_id) as progress:
                    outcome = poll_source(rt, rt.sources[source_id], since=start, progress=progress)
                if not outcome.ok:
                    failed = True
                    click.echo(f"regwatch: source {source_id} failed: {outcome.error}", err=True)
                else:
                    click.echo(f"{source_id}: {outcome.notices} notices stored", err=True)
        finally:
            rt.close()
    if failed:
        sys.exit(EXIT_SOURCE_FAILED)


@contextmanager
def _progress_line(label: str) -> Iterator[Callable[[int, int | None], None]]:
    def show(done: int, total: int | None) -> None:
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "-" * (30 - filled)
            click.echo(f"\r{label} [{bar}] {done}/{total} pages", nl=False, err=True)
        else:
            click.echo(f"\r{label} {done} pages", nl=False, err=True)

    try:
        yield show
    finally:
        click.echo("", err=True)


@cli.command()
@click.option("--subscriber", default=None, help="Only this subscriber's events.")
@click.option(
    "--since", "since", default=None, metavar="EVENT-ID", help="Only events after this one."
)
@click.option(
    "--all", "all_events", is_flag=True, help="Every event, also those not rare-earth relevant."
)
@pass_state
def feed(state: _State, subscriber: str | None, since: str | None, all_events: bool) -> None:
    """Print the JSON Feed of events to stdout.

    \b
    Examples:
      regwatch feed --all
      regwatch feed --subscriber magnets --since notice-new-1a2b3c
    """
    from monitor.serve.feed import feed_document
    from monitor.store import open_store

    with _user_errors():
        settings = state.settings()
        if subscriber is not None and settings.subscriber(subscriber) is None:
            raise UsageError(f"unknown subscriber {subscriber!r}")
        store = open_store(settings.store.url)
        try:
            document = feed_document(
                store,
                base_url=settings.server.base_url(),
                subscriber=subscriber,
                since=since,
                all_events=all_events,
            )
        finally:
            store.dispose()
    _print_json(document)


@cli.command()
@click.argument("doc_key")
@pass_state
def notice(state: _State, doc_key: str) -> None:
    """Print a notice's current state as JSON: facts, status, every URL, every version.

    \b
    Example:
      regwatch notice MOFCOM-2025-61
    """
    from monitor.serve.notice import notice_document
    from monitor.store import open_store

    with _user_errors():
        store = open_store(state.settings().store.url)
        try:
            document = notice_document(store, doc_key)
        finally:
            store.dispose()
        if document is None:
            raise UsageError(f"no notice {doc_key!r} in the store")
    _print_json(document)


@cli.command()
@click.option(
    "--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="Default: today (Beijing)."
)
@click.option("--hs", default=None, help="Only what covers this HS code (8 or 10 digits).")
@click.option("--code", default=None, help="Only what falls under this control code (1C902).")
@click.option("--element", default=None, help="Only what concerns this element (Dy, 镝).")
@pass_state
def controls(
    state: _State, as_of: str | None, hs: str | None, code: str | None, element: str | None
) -> None:
    """Print what is in force on a date (measures, control codes, items) as JSON.

    With --hs, --code or --element: the measures (any status, each with why it matched)
    and the items that match, on that date.

    \b
    Example:
      regwatch controls --as-of 2025-11-08
      regwatch controls --hs 8505111000 --as-of 2025-12-01
    """
    from monitor.controls.queries import controls_document
    from monitor.store import open_store

    with _user_errors():
        settings = state.settings()
        day = _parse_date(as_of, "--as-of") or beijing_date(clock_for(settings.now).now())
        store = open_store(settings.store.url)
        try:
            document = controls_document(store, day, hs=hs, code=code, element=element)
        finally:
            store.dispose()
    _print_json(document)


@cli.command()
@click.option("--as-of", default=None, metavar="YYYY-MM-DD", help="Default: today (Beijing).")
@click.option(
    "--list",
    "list_name",
    default=None,
    type=click.Choice(["control_list", "watch_list", "unreliable_entity", "countermeasure"]),
    help="Only this list.",
)
@click.option("--name", default=None, help="Fuzzy name search in any script (hits get a score).")
@click.option(
    "--format", "fmt", default="json", type=click.Choice(["json", "ftm", "csv"]), show_default=True
)
@pass_state
def entities(
    state: _State, as_of: str | None, list_name: str | None, name: str | None, fmt: str
) -> None:
    """Print the lists of parties on a date: JSON, FollowTheMoney lines or CSV.

    \b
    Example:
      regwatch entities --as-of 2026-06-10 --list control_list --name "Great Lakes"
      regwatch entities --format ftm > china-lists.ftm.json
    """
    from monitor.controls.entity_queries import parse_list, render, stored_entities
    from monitor.store import open_store

    with _user_errors():
        settings = state.settings()
        day = _parse_date(as_of, "--as-of") or beijing_date(clock_for(settings.now).now())
        store = open_store(settings.store.url)
        try:
            found = stored_entities(store, day, list_=parse_list(list_name), name=name)
        finally:
            store.dispose()
    click.echo(render(found, fmt), nl=False)


@cli.command()
@click.option(
    "--date",
    "day",
    default=None,
    metavar="YYYY-MM-DD",
    help="Local date of the digest. Default: yesterday.",
)
@click.option("--subscriber", default=None, help="Only this subscriber.")
@pass_state
def digest(state: _State, day: str | None, subscriber: str | None) -> None:
    """Send the daily digest email(s) for a local date now (never twice).

    \b
    Example:
      regwatch digest --date 2025-10-09 --subscriber magnets
    """
    from monitor.deliver.digest import describe, send_digest

    with _user_errors():
        local_date = _parse_date(day, "--date")
        rt = state.runtime()
        try:
            chosen = [s for s in rt.settings.subscribers if subscriber in (None, s.name)]
            if subscriber is not None and not chosen:
                raise UsageError(f"unknown subscriber {subscriber!r}")
            if rt.channels.email is None:
                raise UsageError("no [email] section in the config: digests cannot be sent")
            for sub in chosen:
                if not sub.email:
                    continue
                when = local_date or (rt.clock.now().astimezone(sub.tz).date() - timedelta(days=1))
                outcome = send_digest(
                    rt.store,
                    rt.settings,
                    rt.clock,
                    rt.channels.email,
                    sub,
                    when,
                    channels=rt.channels,
                )
                click.echo(describe(outcome))
        finally:
            rt.close()


@cli.command()
@click.option(
    "--available", is_flag=True, help="List every source definition (enabled or not), one a line."
)
@pass_state
def sources(state: _State, available: bool) -> None:
    """List sources with health: last success, last error, consecutive failures.

    \b
    Example:
      regwatch --config regwatch.toml sources
      regwatch sources --available     # every bundled definition, enabled or off
    """
    from monitor.adapters.catalog import available_sources, load_catalog, render_available
    from monitor.serve.status import render_sources
    from monitor.store import open_store

    with _user_errors():
        settings = state.settings()
        if available:
            click.echo(render_available(available_sources(settings)))
            return
        catalog = load_catalog(settings)
        store = open_store(settings.store.url)
        try:
            now = clock_for(settings.now).now()
            click.echo(render_sources(store, catalog, settings, now))
        finally:
            store.dispose()


@cli.command()
@pass_state
def serve(state: _State) -> None:
    """Run only the HTTP server (/feed.json, /controls.json, /healthz, /metrics, the pages).

    \b
    Example:
      regwatch --config regwatch.toml serve
    """
    from monitor.serve.runner import serve as run_server
    from monitor.store import open_store

    with _user_errors():
        settings = state.settings()
        store = open_store(settings.store.url)
        try:
            run_server(settings, store, clock_for(settings.now))
        finally:
            store.dispose()


@cli.command()
@pass_state
def run(state: _State) -> None:
    """The daemon: scheduled polls, date checks, delivery, digests, HTTP server.

    Stops cleanly on SIGTERM or SIGINT.

    \b
    Example:
      regwatch --config /etc/regwatch/regwatch.toml run
    """
    from monitor.daemon.timer import run_daemon

    with _user_errors():
        settings = state.settings()
        sys.exit(run_daemon(settings))


@cli.command()
@click.option(
    "--speed",
    default=None,
    type=float,
    help="Accepted and ignored: the demo's clock jumps to each step as soon as the daemon "
    "has finished the previous one.",
)
@click.option(
    "--output",
    "output",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder for the digest emails (.eml and .html), feed.json and controls.json "
    "(default: demo-output in the current folder).",
)
@click.option(
    "--keep",
    "keep",
    default=None,
    type=click.Path(path_type=Path),
    help="Keep the demo's store in this (empty) folder, with a config to serve it later.",
)
@click.option("--stay", is_flag=True, help="Leave the web pages up at the end, until Ctrl-C.")
@pass_state
def demo(
    state: _State, speed: float | None, output: Path | None, keep: Path | None, stay: bool
) -> None:
    """The offline walk-through: a replay of MOFCOM's rare-earth notices, end to end.

    Replays 2025 No. 18 to the 2026-11-10 lapse through the real daemon on a temporary
    store, shows the Slack alerts, writes the digest emails and prints the controls state.
    No network and no accounts needed; takes well under a minute.

    \b
    Examples:
      regwatch demo
      regwatch demo --output /tmp/regwatch-demo
      regwatch demo --stay               # then open the printed URL of the pages
    """
    from monitor.demo.walk import run_demo

    with _user_errors():
        sys.exit(run_demo(speed=speed, output=output, keep=keep, stay=stay))


@cli.command(name="eval")
@click.argument("corpus_dir", required=False, type=click.Path(path_type=Path))
@pass_state
def evaluate(state: _State, corpus_dir: Path | None) -> None:
    """Score extraction and relevance on a labelled corpus (default: the bundled one).

    \b
    Example:
      regwatch eval monitor/corpus
    """
    from monitor.corpus.entity_eval import evaluate_entities, format_entity_report
    from monitor.corpus.evaluate import evaluate_corpus, format_report

    directory = corpus_dir or Path(__file__).resolve().parent / "corpus"
    if not directory.is_dir():
        _fail(f"no such corpus folder: {directory}")
    click.echo(format_report(evaluate_corpus(directory)))
    if (directory / "entities").is_dir():  # designation pages and their party labels
        click.echo(format_entity_report(evaluate_entities(directory / "entities")))
    if (directory / "items").is_dir():
        from monitor.corpus.items_eval import evaluate_items, format_items_report

        click.echo(format_items_report(evaluate_items(directory / "items")))


def _print_json(document: Any) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def main() -> None:
    cli(prog_name="regwatch")
