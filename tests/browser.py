"""A real headless Chromium (Debian's `chromium`, installed by .ci/run) for page tests:
a screenshot, the DOM after scripts ran, and the console errors the page logged."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Without these Chromium reaches for Google's hosts at start, which this network refuses.
_QUIET = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("chromium is not installed: apt-get install -y chromium (.ci/run does)")
    return path


@dataclass
class Page:
    dom: str  # the serialized DOM after the page's scripts ran
    console_errors: list[str]
    screenshot: Path | None


def open_page(
    url: str,
    screenshot: Path | None = None,
    size: tuple[int, int] = (1400, 1000),
    budget_ms: int = 15000,
) -> Page:
    """Load `url` headless: its DOM, the console errors it logged, and a screenshot
    when a path is given."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        base = [
            chromium(),
            *_QUIET,
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            f"--virtual-time-budget={budget_ms}",
            "--enable-logging=stderr",
            "--v=0",
        ]
        dumped = subprocess.run(
            [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120
        )
        if dumped.returncode != 0:
            raise RuntimeError(f"chromium failed on {url}:\n{dumped.stderr[-2000:]}")
        errors = [
            line
            for line in dumped.stderr.splitlines()
            if "CONSOLE" in line and ("ERROR" in line.upper() or "Uncaught" in line)
        ]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            shot = subprocess.run(
                [*base, f"--screenshot={screenshot}", url],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if shot.returncode != 0 or not screenshot.exists():
                raise RuntimeError(f"no screenshot of {url}:\n{shot.stderr[-2000:]}")
    return Page(dumped.stdout, errors, screenshot)
