"""Quiet progress for a run the CLI executes in process: one line per step with its counts
and elapsed time, and a 'still running' line on long steps. It reads the run's event log
from the instance (polled in a thread), so the full log stays in the Dagster run. While
it watches, it holds the run's event log connections open (event_log.py: SQLite files or
a PostgreSQL pool), which makes each of Dagster's event writes several times cheaper."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TextIO

from dagster import DagsterEventType, DagsterInstance

from orchestration.cli.event_log import HeldEventLog

_SHOWN = {
    DagsterEventType.STEP_START,
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_CHECK_EVALUATION,
}


def _failure_text(event) -> str:
    """A failed step's own words: the Failure's description, else the error's message."""
    data = event.dagster_event.step_failure_data
    if data.user_failure_data and data.user_failure_data.description:
        return data.user_failure_data.description
    return data.error.message.strip() if data.error else "failed"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _refused_files(event) -> list[tuple[str, str]]:
    """(entity, message) of each file the load refused whole (ingestion.py's metadata)."""
    data = event.dagster_event.step_failure_data.user_failure_data
    value = data.metadata.get("refused_files") if data and data.metadata else None
    lines = str(getattr(value, "value", value) or "").splitlines()
    return [tuple(line.split(": ", 1)) for line in lines if ": " in line]


class StepProgress:
    def __init__(
        self,
        instance: DagsterInstance,
        run_id: str,
        out: TextIO = sys.stdout,
        tick: float = 0.5,
        heartbeat: float = 30.0,
        meanwhile: dict[str, Callable[[], None]] | None = None,
    ):
        """`meanwhile`: step key -> work started in a thread of its own when that step
        starts (while dbt builds, this process only waits on dbt's)."""
        self.instance, self.run_id, self.out = instance, run_id, out
        self._meanwhile = dict(meanwhile or {})
        self.tick, self.heartbeat = tick, heartbeat
        self.failures: list[tuple[str, str]] = []  # (step, what it said)
        self.refused: list[tuple[str, str]] = []  # (entity, why): files refused whole
        self._cursor: str | None = None
        self._started: dict[str, float] = {}
        self._last_word: dict[str, float] = {}
        self._assets: Counter = Counter()
        self._checks: Counter = Counter()
        self._event_log = HeldEventLog(instance)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> StepProgress:
        self._event_log.hold()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._event_log.close()
        self._poll()  # what arrived after the last tick

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def _watch(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self._event_log.flush()  # the UI's live view of the run reads the file
                self._poll()
            except Exception:  # the run's storage may not hold the run yet
                continue
            now = time.time()
            for step, since in list(self._started.items()):
                if now - self._last_word[step] >= self.heartbeat:
                    self._last_word[step] = now
                    self._print(f"  … {step} still running ({now - since:.0f}s)")

    def _poll(self) -> None:
        while True:
            conn = self.instance.get_records_for_run(
                self.run_id, cursor=self._cursor, of_type=_SHOWN, limit=500
            )
            self._cursor = conn.cursor
            for record in conn.records:
                self._show(record.event_log_entry)
            if not conn.has_more:
                return

    def _show(self, entry) -> None:
        step, kind = entry.step_key, entry.dagster_event.event_type
        now = entry.timestamp
        if kind == DagsterEventType.STEP_START:
            self._started[step] = self._last_word[step] = now
            if work := self._meanwhile.pop(step, None):
                threading.Thread(target=work, daemon=True).start()
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            self._assets[step] += 1
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            self._checks[step] += 1
        elif kind == DagsterEventType.STEP_SKIPPED:
            self._print(f"- {step}: skipped (an upstream step failed)")
        else:
            since = self._started.pop(step, now)
            self._last_word.pop(step, None)
            counts = [
                _count(n, word)
                for n, word in ((self._assets[step], "asset"), (self._checks[step], "check"))
                if n
            ]
            took = f"{now - since:.1f}s"
            if kind == DagsterEventType.STEP_SUCCESS:
                self._print(f"✓ {step}: {', '.join([*counts, took])}")
            else:
                text = _failure_text(entry)
                self.refused += _refused_files(entry)
                self.failures.append((step, text))
                first, *rest = text.splitlines() or ["failed"]
                self._print(f"✗ {step}: FAILED after {took}: {first}")
                for line in rest:
                    self._print(f"    {line}")
