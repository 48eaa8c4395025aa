"""GET pages through one shared local headless Chromium (`fetch = "browser"` on a source).

For sites that answer plain clients with a script challenge (412 or 521 plus a
cookie-setting script, mofcom-site.md §6): the browser runs the script, keeps the cookie
in the source's own context and loads the page the script reloads to. Playwright's sync
API is bound to the thread that started it, so one worker thread owns Playwright and the
browser; callers from any thread queue their request and wait. The browser is the
system Chromium (`REGWATCH_CHROMIUM`, default /usr/bin/chromium): nothing is downloaded.
A browser that died is started again on the next request.

The answer passes the same checks as a plain fetch: status, size cap, challenge page,
decoding. A missing Playwright or Chromium is a FetchError("browser_missing") naming
what to install: a source failure, never an alert.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.clock import Clock, SystemClock
from monitor.errors import FetchError
from monitor.fetch.checks import Expect, decoded_text, looks_like_challenge
from monitor.fetch.urls import from_wire, to_wire
from monitor.models import Page, SourceDef

log = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHALLENGE_STATUSES = frozenset({412, 521})
INSTALL_HINT = (
    "install the system Chromium (Debian/Ubuntu: apt-get install chromium) or point "
    "REGWATCH_CHROMIUM at one; regwatch never downloads a browser"
)


@dataclass(frozen=True)
class BrowserAnswer:
    """The last main-frame document the browser loaded for one request."""

    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes


def chromium_path() -> str:
    return os.environ.get("REGWATCH_CHROMIUM", DEFAULT_CHROMIUM)


class BrowserPages:
    """Fetch pages through one headless Chromium shared by every browser source."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        executable: str | None = None,
        timeout_s: float = 30.0,
        max_bytes: int = 10_000_000,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._executable = executable or chromium_path()
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes
        # A flag Chromium ignores, so the browser's process can be found (memory, tests).
        self.marker = f"--regwatch-browser={uuid.uuid4().hex}"
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._contexts: dict[str, Any] = {}
        self.launches = 0

    # -- public ------------------------------------------------------------------------

    def get(self, source: SourceDef, url: str, *, expect: Expect = "html") -> Page:
        """GET a canonical real-site `url` through the browser (base_url applies)."""
        wire_url = to_wire(source, url)
        timeout_s = _number(source.options, "read_timeout", self._timeout_s)
        max_bytes = int(_number(source.options, "max_bytes", self._max_bytes))
        rendered = expect == "html"
        answer: BrowserAnswer = self._run(
            lambda: self._load(source.id, wire_url, timeout_s, rendered=rendered),
            wait_s=timeout_s * 2 + 30,
            url=url,
        )
        return self.checked_page(source, url, answer, expect=expect, max_bytes=max_bytes)

    def browser_pid(self) -> int | None:
        """The pid of the running browser's main process (found by its marker flag)."""
        wanted = self.marker.encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if wanted in arguments and not any(a.startswith(b"--type=") for a in arguments):
                return int(entry.name)
        return None

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            thread.join(timeout=30)
            if thread.is_alive():
                self._kill_browser()

    # -- the worker thread -------------------------------------------------------------

    def _run(self, job: Callable[[], Any], *, wait_s: float, url: str) -> Any:
        future: Future[Any] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="browser", daemon=True)
                self._thread.start()
            self._jobs.put((job, future))
        try:
            return future.result(timeout=wait_s)
        except FutureTimeout:
            # A browser that stopped answering holds every browser source: end it (the
            # process this object started), so the worker's call fails and the next
            # request starts a new one.
            self._kill_browser()
            raise FetchError(
                "timeout", f"the browser did not answer in {wait_s:.0f} s", url
            ) from None

    def _kill_browser(self) -> None:
        pid = self.browser_pid()
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def _work(self) -> None:
        try:
            while (item := self._jobs.get()) is not None:
                job, future = item
                try:
                    future.set_result(job())
                except BaseException as error:  # handed to the caller's thread
                    future.set_exception(error)
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        for closer in (self._browser, self._playwright):
            if closer is None:
                continue
            try:
                closer.close() if closer is self._browser else closer.stop()
            except Exception as error:
                log.debug("browser shutdown: %s", error)
        self._browser = self._playwright = None
        self._contexts.clear()

    def _ensure_browser(self) -> Any:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        if self._browser is not None:
            log.warning("the shared browser died; starting it again")
            self._contexts.clear()
            self._browser = None
        if not Path(self._executable).exists():
            raise FetchError(
                "browser_missing", f"no Chromium at {self._executable}: {INSTALL_HINT}"
            )
        if self._playwright is None:
            try:
                # Imported here: slow to import and needed only by browser sources.
                from playwright.sync_api import sync_playwright
            except ImportError as error:
                raise FetchError(
                    "browser_missing",
                    "Playwright is not installed: pip install 'playwright>=1.45,<2' "
                    f"(the Python package only); {INSTALL_HINT}",
                ) from error
            self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=self._executable,
                headless=True,
                args=["--no-sandbox", "--disable-blink-features=AutomationControlled",
                      "--disable-dev-shm-usage", "--disable-gpu", "--disable-extensions",
                      "--disable-background-networking", "--renderer-process-limit=2",
                      "--no-first-run", self.marker],
            )  # fmt: skip
        except Exception as error:
            raise FetchError("browser_missing", f"Chromium did not start: {error}") from error
        self.launches += 1
        return self._browser

    def _load(self, source_id: str, url: str, timeout_s: float, *, rendered: bool) -> BrowserAnswer:
        """One page; a browser that died under it is started again and asked once more."""
        try:
            return self._load_once(source_id, url, timeout_s, rendered=rendered)
        except FetchError as error:
            if error.reason != "browser":
                raise
        except Exception as error:
            log.warning("browser request failed (%s); starting the browser again", error)
        self._forget_browser()
        try:
            return self._load_once(source_id, url, timeout_s, rendered=rendered)
        except FetchError:
            raise
        except Exception as error:
            raise FetchError("browser", f"the browser failed: {_first_line(error)}", url) from error

    def _forget_browser(self) -> None:
        browser, self._browser = self._browser, None
        self._contexts.clear()
        if browser is not None:
            try:
                browser.close()
            except Exception as error:
                log.debug("closing a dead browser: %s", error)

    def _load_once(
        self, source_id: str, url: str, timeout_s: float, *, rendered: bool
    ) -> BrowserAnswer:
        """Navigate; while the main frame shows a challenge, wait for the script's reload.

        `rendered`: an HTML page is taken as the browser's DOM after load (script-built
        lists included), serialised as UTF-8; anything else as the bytes the server sent.
        """
        browser = self._ensure_browser()
        context = self._contexts.get(source_id)
        if context is None:
            context = browser.new_context(locale="zh-CN")
            self._contexts[source_id] = context
        navigations: list[Any] = []
        page = context.new_page()
        try:
            page.on("response", lambda r: _keep_document(r, page, navigations))
            deadline = time.monotonic() + timeout_s
            try:
                page.goto(url, wait_until="load", timeout=timeout_s * 1000)
                while navigations and _challenged(navigations[-1]):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    page.wait_for_event(
                        "response", predicate=lambda r: _is_document(r, page),
                        timeout=remaining * 1000,
                    )  # fmt: skip
                    page.wait_for_load_state("load", timeout=max(1.0, remaining) * 1000)
            except Exception as error:
                # A page still reloading itself at the deadline is a challenge not passed.
                stuck = bool(navigations) and navigations[-1].status in CHALLENGE_STATUSES
                if not stuck and (not navigations or not _is_timeout(error)):
                    raise _navigation_error(error, url, browser) from error
            last = navigations[-1]
            headers = dict(last.all_headers())
            if last.status in CHALLENGE_STATUSES:
                body = b""  # still challenged at the deadline; the status says enough
            elif rendered and last.status == 200 and not _challenged(last):
                headers["content-type"] = "text/html; charset=utf-8"
                body = page.content().encode("utf-8")
            else:
                try:
                    body = last.body()
                except Exception as error:
                    raise FetchError("challenge", "the page kept reloading itself", url) from error
            return BrowserAnswer(status=last.status, url=last.url, headers=headers, body=body)
        finally:
            try:
                page.close()
            except Exception as error:
                log.debug("closing a browser tab: %s", error)

    # -- checks (caller's thread) --------------------------------------------------------

    def checked_page(
        self, source: SourceDef, url: str, answer: BrowserAnswer, *, expect: Expect, max_bytes: int
    ) -> Page:
        status, body = answer.status, answer.body
        if status in CHALLENGE_STATUSES:
            raise FetchError("challenge", f"HTTP {status} challenge the browser did not pass", url)
        if status in (202, 204):
            raise FetchError("empty_body", f"HTTP {status} (bot check or queue page)", url)
        if status not in (200, 203):
            raise FetchError("http_status", f"HTTP {status}", url)
        if len(body) > max_bytes:
            raise FetchError("too_large", f"body over {max_bytes} bytes", url)
        if not body.strip():
            raise FetchError("empty_body", f"HTTP {status} with an empty body", url)
        if expect != "binary" and looks_like_challenge(body):
            raise FetchError("challenge", "JavaScript challenge page after the browser ran it", url)
        headers = {name.lower(): value for name, value in answer.headers.items()}
        text = decoded_text(body, headers.get("content-type", ""), expect, url)
        return Page(
            url=url, final_url=from_wire(source, answer.url), status=status, headers=headers,
            body=body, text=text, fetched_at=self._clock.now(),
            sha256=hashlib.sha256(body).hexdigest(), etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
        )  # fmt: skip


def _keep_document(response: Any, page: Any, navigations: list[Any]) -> None:
    if _is_document(response, page):
        navigations.append(response)


def _is_document(response: Any, page: Any) -> bool:
    request = response.request
    return bool(request.is_navigation_request() and response.frame == page.main_frame)


def _challenged(response: Any) -> bool:
    if response.status in CHALLENGE_STATUSES:
        return True
    try:
        return looks_like_challenge(response.body())
    except Exception:
        return True


def _is_timeout(error: Exception) -> bool:
    return type(error).__name__ == "TimeoutError"


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _navigation_error(error: Exception, url: str, browser: Any) -> FetchError:
    message = _first_line(error)
    if not browser.is_connected() or type(error).__name__ == "TargetClosedError":
        return FetchError("browser", f"the browser died: {message}", url)
    if _is_timeout(error):
        return FetchError("timeout", message, url)
    return FetchError("connect", message, url)


def _number(options: Mapping[str, Any], key: str, default: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)
