"""Environment variables the config names (`*_env` keys) that are not set.

Slack and SMTP credentials are checked where their channels are built
(deliver/channels). A subscriber's `feed_token_env` is checked here, by the commands that
serve the feed: an unset variable would make that subscriber's feed answer 401 to
everyone, silently. Errors name the key and the variable, never a value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from monitor.config.settings import Settings
from monitor.errors import ConfigError


def require_feed_tokens(settings: Settings, environ: Mapping[str, str] | None = None) -> None:
    """Raise ConfigError for the first subscriber whose feed token variable is unset."""
    env = os.environ if environ is None else environ
    for index, subscriber in enumerate(settings.subscribers):
        name = subscriber.feed_token_env
        if name and not env.get(name):
            raise ConfigError(
                f"subscribers[{index}].feed_token_env",
                f"environment variable {name} is not set (or empty): the feed of subscriber "
                f"{subscriber.name!r} would refuse every request",
            )
