"""Slack: one `chat.postMessage` per event per subscriber (CONTRACT.md § Slack).

`render_slack_message` is pure: an `Alert` → text (the notification fallback), Block Kit
blocks within Slack's limits, and metadata that makes a duplicate recognisable by its
event id. `SlackChannel` sends it through slack-sdk's `WebClient` and turns every failure
into a `DeliveryError` that says whether retrying can help. The token never leaves the
client: errors are re-raised without the slack-sdk exception attached, because that
exception keeps the request headers (with the bearer token) on it.
"""

from __future__ import annotations

import http.client
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from monitor.config import SlackSettings
from monitor.deliver.channels.wording import Alert, title_without_number
from monitor.errors import ConfigError, DeliveryError

log = logging.getLogger(__name__)

EVENT_TYPE = "regwatch_event"
MAX_BLOCKS = 50
MAX_TEXT = 3000  # characters in one text object
MAX_FIELD = 2000  # characters in one section field
MAX_FIELDS = 10
MAX_HEADER = 150
ELLIPSIS = "…"
# Slack errors after which the same request may succeed later; everything else is permanent.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }
)


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: tuple[dict[str, Any], ...]
    metadata: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Rendering (pure)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    # Never leave half an escape (&am…) or half a link (<http://…) behind.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:] and len(cut) - amp <= 5:
        cut = cut[:amp]
    lt = cut.rfind("<")
    if lt != -1 and ">" not in cut[lt:]:
        cut = cut[:lt]
    return cut.rstrip() + ELLIPSIS


def escape(text: str) -> str:
    """Slack mrkdwn: only &, < and > are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    if not url:
        return escape(label)
    return f"<{url.replace('>', '%3E').replace('|', '%7C')}|{escape(label).replace('|', '/')}>"


def _mrkdwn(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _field(label: str, values: tuple[str, ...] | str, sep: str = ", ") -> dict[str, Any] | None:
    shown = values if isinstance(values, str) else sep.join(values)
    if not shown:
        return None
    return _mrkdwn(f"*{label}*\n{escape(shown)}", MAX_FIELD)


def _quoted(lines: tuple[str, ...]) -> str:
    return "\n".join("> " + escape(line) for line in lines)


def _blocks(alert: Alert) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(alert.headline, MAX_HEADER),
                "emoji": False,
            },
        },
    ]
    intro = f"*{link(alert.url, alert.title or alert.label)}*"
    if alert.english:
        intro += "\n_" + escape(alert.english) + "_"
    if alert.summary and alert.summary != alert.title:
        intro += "\n" + escape(alert.summary)
    blocks.append(_section(intro))
    fields = [
        f
        for f in (
            _field("Document", alert.doc_key),
            _field("Kind", alert.kind),
            _field("Published", alert.published),
            _field("Issuers", alert.issuers, "、"),
            _field("Elements", alert.elements),
            _field("Control codes", alert.control_codes),
            _field("HS codes", alert.hs_codes),
            _field("Effective", alert.effective, "\n"),
        )
        if f is not None
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields[:MAX_FIELDS]})
    if alert.affects:
        blocks.append(_section("*Acts on*\n" + "\n".join("• " + escape(a) for a in alert.affects)))
    if alert.added:
        blocks.append(_section("*Added*\n" + _quoted(alert.added)))
    if alert.removed:
        blocks.append(_section("*Removed*\n" + _quoted(alert.removed)))
    if alert.url:
        in_regwatch = f"  ·  {link(alert.page_url, 'In regwatch')}" if alert.page_url else ""
        blocks.append(
            {
                **_section(
                    link(alert.url, "Open the notice") + f"  {escape(alert.url)}" + in_regwatch
                ),
                "block_id": "link",
            }
        )
    context = " · ".join(
        p
        for p in ("regwatch", alert.event, alert.source, alert.detected, f"event {alert.event_id}")
        if p
    )
    blocks.append({"type": "context", "elements": [_mrkdwn(escape(context))]})
    return blocks[:MAX_BLOCKS]


def fallback_text(alert: Alert) -> str:
    """The notification text: document number (else title) and what happened."""
    rest = title_without_number(alert)
    text = alert.headline + (f": {rest}" if rest and rest != alert.label else "")
    return text + (f" ({alert.english})" if alert.english else "")


def render_slack_message(alert: Alert) -> SlackMessage:
    """The Slack message for one event (pure)."""
    return SlackMessage(
        text=clip(fallback_text(alert), MAX_TEXT),
        blocks=tuple(_blocks(alert)),
        metadata={
            "event_type": EVENT_TYPE,
            "event_payload": {"event_id": alert.event_id, "doc_key": alert.doc_key},
        },
    )


# ---------------------------------------------------------------------------------------
# Sending


def _retry_after(headers: Mapping[str, Any] | None) -> float | None:
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class PatientRateLimitHandler(RateLimitErrorRetryHandler):
    """slack-sdk's 429 handler, waiting `Retry-After` (+ up to 1 s jitter, as slack-sdk does)
    through an injectable `sleep`, and only when the wait is short: a longer one is left to
    the outbox, which reschedules the row instead of holding a delivery worker."""

    def __init__(
        self, *, max_wait_s: float, sleep: Callable[[float], None], max_retry_count: int = 1
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_s = max_wait_s
        self.sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        wait = _retry_after(response.headers)
        return wait is None or wait <= self.max_wait_s

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        wait = _retry_after(response.headers if response is not None else None)
        self.sleep((1.0 if wait is None else wait) + random.random())
        state.increment_current_attempt()


class SlackChannel:
    """Posts alerts with slack-sdk's `WebClient` to `settings.api_url`."""

    name = "slack"

    def __init__(
        self,
        settings: SlackSettings,
        token: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_inline_wait_s: float = 30.0,
        connection_retries: int = 1,
    ) -> None:
        if not token:
            raise ConfigError(
                "slack.token_env",
                "the Slack bot token is missing: set the environment variable "
                f"{settings.token_env}",
            )
        self.settings = settings
        base_url = settings.api_url if settings.api_url.endswith("/") else settings.api_url + "/"
        handlers: list[RetryHandler] = []
        if connection_retries > 0:
            handlers.append(ConnectionErrorRetryHandler(max_retry_count=connection_retries))
        # Added explicitly: slack-sdk's defaults retry only connection errors, never a 429.
        handlers.append(PatientRateLimitHandler(max_wait_s=max_inline_wait_s, sleep=sleep))
        self._client = WebClient(
            token=token,
            base_url=base_url,
            timeout=max(1, math.ceil(settings.timeout_s)),
            retry_handlers=handlers,
        )

    def __repr__(self) -> str:
        return f"SlackChannel(api_url={self.settings.api_url!r})"

    def send(self, alert: Alert, destination: str) -> None:
        message = render_slack_message(alert)
        self._post(
            channel=destination,
            text=message.text,
            blocks=list(message.blocks),
            metadata=message.metadata,
            unfurl_links=False,
            unfurl_media=False,
        )

    def send_text(self, destination: str, text: str) -> None:
        self._post(channel=destination, text=clip(text, 4000), unfurl_links=False)

    def _post(self, **arguments: Any) -> None:
        error: DeliveryError
        try:
            self._client.chat_postMessage(**arguments)
            return
        except SlackApiError as exc:
            error = api_error(exc)
        except (URLError, OSError, http.client.HTTPException) as exc:
            error = DeliveryError(f"slack unreachable: {_transport_reason(exc)}", retryable=True)
        except SlackClientError as exc:
            error = DeliveryError(f"slack client error: {type(exc).__name__}", retryable=False)
        raise error  # outside the except blocks: no slack-sdk exception (or token) attached


def _transport_reason(exc: BaseException) -> str:
    if isinstance(exc, URLError):
        return str(exc.reason)
    return f"{type(exc).__name__}: {exc}"


def api_error(exc: SlackApiError) -> DeliveryError:
    """Map a Slack API answer that was not ``ok`` to a DeliveryError."""
    response = exc.response
    status = getattr(response, "status_code", 0) or 0
    data = getattr(response, "data", None)
    code = str(data.get("error") or "") if isinstance(data, Mapping) else ""
    retry_after = _retry_after(getattr(response, "headers", None))
    if status == 429 or code == "ratelimited":
        return DeliveryError(
            f"slack rate limited (HTTP {status}), retry after {retry_after or '?'} s",
            retryable=True,
            retry_after_s=retry_after,
        )
    retryable = status >= 500 or code in TRANSIENT_ERRORS
    described = code if code and len(code) <= 80 else "unexpected response"
    return DeliveryError(f"slack error {described} (HTTP {status})", retryable=retryable)
