"""What the API sources share: one HTTP client with bounded, polite retries and
errors that name the source and say what to do, plus the date windows they request.

Deliberately plain `requests` rather than `dlt.sources.helpers.requests`: dlt's
client retries through tenacity with a sleep we cannot inject, and its errors name
neither the source nor the fix. Secrets travel only in headers or request bodies,
never in URLs, and every message this module builds is scrubbed of them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class SourceError(Exception):
    """An error raised by an ingestion source; the message starts with the source name."""


class SourceConfigError(SourceError):
    """The source's configuration is unusable; the message names the setting to fix."""


class SourceAuthError(SourceError):
    """Credentials were refused: retrying cannot help, a person must act."""


class SourceHttpError(SourceError):
    """The API answered with an error that retries did not (or could not) fix."""


class PayloadError(SourceError):
    """The API answered 2xx with something that is not the documented shape."""


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def api_error_message(response: requests.Response) -> str:
    """The API's own short error text (Google, Meta and Zenoti all nest it under `error`),
    led by Google Ads' own error codes when the answer carries a GoogleAdsFailure."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(body, list) and body:  # Google's searchStream wraps errors in an array
        body = body[0]
    if not isinstance(body, dict):
        return ""
    error = body.get("error", body)
    if not isinstance(error, dict):  # OAuth: {"error": "invalid_grant", "error_description": ..}
        return str(body.get("error_description") or error)[:300]
    keys = ("message", "Message", "error_description", "status")  # Zenoti says "Message"
    message = str(next((error[k] for k in keys if error.get(k)), ""))
    codes = _google_error_codes(error)
    return (f"{codes} ({message})" if codes else message)[:300]


def _google_error_codes(error: dict) -> str:
    """`authorizationError: USER_PERMISSION_DENIED` from a GoogleAdsFailure in
    `error.details[].errors[].errorCode` (a one-key object: category -> code), so the
    user reads what to fix rather than "The caller does not have permission"."""
    codes = []
    for detail in error.get("details") or ():
        for failure in (detail.get("errors") or ()) if isinstance(detail, dict) else ():
            code = failure.get("errorCode") if isinstance(failure, dict) else None
            if isinstance(code, dict):
                codes.extend(f"{kind}: {value}" for kind, value in code.items())
    return ", ".join(dict.fromkeys(codes))


def _seconds_header(response: requests.Response, name: str) -> float | None:
    value = (response.headers.get(name) or "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` (seconds or an HTTP date), else `RateLimit-Reset` (seconds until the
    quota refills, as Zenoti sends it on a 429)."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return _seconds_header(response, "RateLimit-Reset")
    if (seconds := _seconds_header(response, "Retry-After")) is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class ApiClient:
    """JSON over HTTP for one source.

    `auth_failure(response)` returns an actionable message when a response means the
    credentials were refused (the default treats 401/403 so, with `auth_hint` appended);
    `retryable(response)` decides what is worth another attempt (429 and 5xx by default);
    `retry_delay(response)` says how long the API asked to wait (default: Retry-After or
    RateLimit-Reset), capped at `max_delay_seconds`. `calls_per_minute` paces requests
    (0: no pacing), and a response saying `RateLimit-Remaining: 0` holds the next request
    until its `RateLimit-Reset`.
    """

    source: str
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    secrets: Sequence[str] = ()
    auth_hint: str = "check the credentials in the dlt secrets"
    auth_failure: Callable[[requests.Response], str | None] | None = None
    retryable: Callable[[requests.Response], bool] | None = None
    retry_delay: Callable[[requests.Response], float | None] | None = None
    calls_per_minute: float = 0
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    max_delay_seconds: float = 120.0
    timeout_seconds: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    session: requests.Session = field(default_factory=requests.Session)
    _next_call_at: float = field(default=0.0, init=False, repr=False)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request (retrying what is retryable) and return the parsed JSON body."""
        url = f"{self.base_url.rstrip('/')}/{path.lstrip('/')}" if path else self.base_url
        where = f"{method} {urlsplit(url).path}"  # no query string: it could carry a cursor
        for attempt in range(1, self.max_attempts + 1):
            self._pace()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    data=form,
                    headers=dict(self.headers),
                    timeout=self.timeout_seconds,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.max_attempts:
                    raise self._error(
                        SourceHttpError, f"{where} unreachable after {attempt} attempts ({exc})"
                    ) from None
                self._wait(where, attempt, None, type(exc).__name__)
                continue
            self._note_quota(response)
            if (message := self._auth_message(response)) is not None:
                raise SourceAuthError(redact(message, self.secrets))
            if self._is_retryable(response):
                if attempt == self.max_attempts:
                    raise self._error(
                        SourceHttpError,
                        f"{where} failed after {attempt} attempts "
                        f"(HTTP {response.status_code}: {api_error_message(response)})",
                    )
                self._wait(where, attempt, response, f"HTTP {response.status_code}")
                continue
            if response.status_code >= 400:
                raise self._error(
                    SourceHttpError,
                    f"{where} returned HTTP {response.status_code}: {api_error_message(response)}",
                )
            try:
                return response.json()
            except ValueError:
                raise self._error(PayloadError, f"{where} did not return JSON") from None
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _pace(self) -> None:
        """Space calls at most `calls_per_minute` apart, and honour a spent quota."""
        wait = self._next_call_at - self.clock()
        if wait > 0:
            self.sleep(wait)
        if self.calls_per_minute > 0:
            self._next_call_at = self.clock() + 60.0 / self.calls_per_minute

    def _note_quota(self, response: requests.Response) -> None:
        if (response.headers.get("RateLimit-Remaining") or "").strip() != "0":
            return
        reset = _seconds_header(response, "RateLimit-Reset")
        if reset is not None:
            until = self.clock() + min(reset, self.max_delay_seconds)
            self._next_call_at = max(self._next_call_at, until)

    def _auth_message(self, response: requests.Response) -> str | None:
        if self.auth_failure is not None:
            return self.auth_failure(response)
        if response.status_code in (401, 403):
            return (
                f"{self.source}: the API refused the credentials (HTTP {response.status_code}: "
                f"{api_error_message(response)}); {self.auth_hint}"
            )
        return None

    def _is_retryable(self, response: requests.Response) -> bool:
        if self.retryable is not None:
            return self.retryable(response)
        return response.status_code in RETRYABLE_STATUS

    def _wait(
        self, where: str, attempt: int, response: requests.Response | None, reason: str
    ) -> None:
        delay = None
        if response is not None:
            asked = self.retry_delay or _retry_after_seconds
            delay = asked(response)
        if delay is None:
            delay = self.backoff_seconds * 2 ** (attempt - 1)
        delay = min(delay, self.max_delay_seconds)
        logger.warning(
            "%s: %s on %s, attempt %d/%d, retrying in %.1fs",
            self.source,
            reason,
            where,
            attempt,
            self.max_attempts,
            delay,
        )
        self.sleep(delay)

    def _error(self, kind: type[SourceError], detail: str) -> SourceError:
        return kind(redact(f"{self.source}: {detail}", self.secrets))


def require(record: Any, path: str, *, source: str, what: str) -> Any:
    """Read a dotted path from an API record, or raise PayloadError naming it."""
    value = record
    for key in path.split("."):
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            snippet = json.dumps(record, default=str)[:200]
            raise PayloadError(f"{source}: {what} is missing required field `{path}`: {snippet}")
        value = value[key]
    return value


# Request windows: which dates to ask an API for on this run.


def as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def lookback_start(last_loaded: str | None, start_date: date, lookback_days: int) -> date:
    """First run: `start_date`. Later runs: `lookback_days` before the last loaded day,
    because the API may still revise those days (and a gap since then is covered too)."""
    if last_loaded is None:
        return start_date
    return max(start_date, as_date(last_loaded) - timedelta(days=lookback_days - 1))


def date_windows(first: date, last: date, max_days: int) -> Iterator[tuple[date, date]]:
    """Consecutive inclusive (start, end) windows of at most `max_days` days."""
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=max_days - 1))
        yield start, end
        start = end + timedelta(days=1)
