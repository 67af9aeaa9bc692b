"""While a step runs, the CLI can start work of its own for the steps after it: the work
registered for a step starts in a thread when that step starts (cli/progress.py), and the
chart templates compiled that way are the ones the pages then draw with."""

from __future__ import annotations

import io
import threading
import uuid

from dagster import DagsterInstance, In, Nothing, job, op

from orchestration.cli.progress import StepProgress
from orchestration.reports import charts

started = threading.Event()
ran_in: list[str] = []


def _work() -> None:
    ran_in.append(threading.current_thread().name)
    started.set()


@op
def before() -> None:
    assert not started.is_set(), "the work started before its step"


@op(ins={"after": In(Nothing)})
def waiting() -> None:
    # the work runs while this step does: the step waits for it
    assert started.wait(timeout=20), "the work did not start with its step"


@job
def two_steps():
    waiting(before())


def test_work_for_a_step_starts_in_its_own_thread_when_the_step_starts(tmp_path):
    started.clear()
    ran_in.clear()
    out = io.StringIO()
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        run_id = str(uuid.uuid4())
        # a tick shorter than the default, so the step does not wait half a second
        with StepProgress(instance, run_id, out=out, tick=0.05, meanwhile={"waiting": _work}):
            result = two_steps.execute_in_process(instance=instance, run_id=run_id)
    assert result.success
    assert len(ran_in) == 1 and ran_in[0] != threading.main_thread().name
    assert "✓ before" in out.getvalue() and "✓ waiting" in out.getvalue()


def test_compiled_templates_are_the_ones_the_pages_draw_with():
    charts._trend_template.cache_clear()
    charts._routing_template.cache_clear()
    charts.compile_templates()
    compiled = (charts._trend_template.cache_info(), charts._routing_template.cache_info())
    assert [info.currsize for info in compiled] == [1, 2]  # both routing variants
    charts._trend_template()
    charts._routing_template(True)
    charts._routing_template(False)
    assert charts._trend_template.cache_info().hits == compiled[0].hits + 1
    assert charts._routing_template.cache_info().hits == compiled[1].hits + 2
