"""A real headless Chromium opens a provider page and the owner page: no console errors,
and every chart is an SVG of reasonable size that draws something. Screenshots are kept
under data/screenshots/ (git-ignored) for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import open_page
from PIL import Image

SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"


def _svgs(dom: str) -> list[tuple[str, int, int]]:
    """(svg markup, width, height) of each top-level chart the browser parsed."""
    found = []
    for match in re.finditer(r'<svg[^>]*?width="(\d+)"[^>]*?height="(\d+)".*?</svg>', dom, re.S):
        found.append((match.group(0), int(match.group(1)), int(match.group(2))))
    return found


def _drawn_share(svg: str, size: tuple[int, int], shot: Path) -> tuple[float, int]:
    """Render the chart alone in the browser: the share of non-white pixels and how many
    distinct colours it has."""
    page = shot.with_suffix(".html")
    page.write_text(f"<!DOCTYPE html><body style='margin:0'>{svg}</body>", encoding="utf-8")
    open_page(page.as_uri(), screenshot=shot, size=size)
    image = Image.open(shot).convert("RGB")
    pixels = image.getdata()
    inked = sum(1 for p in pixels if p != (255, 255, 255))
    return inked / (size[0] * size[1]), len(set(pixels))


@pytest.mark.parametrize("which", ["provider", "owner"])
def test_pages_render_their_charts_in_chromium(clinic, which):
    folder = clinic.reports / "clin_demo"
    path = folder / "index.html" if which == "owner" else sorted(folder.glob("providers/*"))[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(path.as_uri(), screenshot=SCREENSHOTS / f"{which}.png", size=(1300, 2200))

    assert page.console_errors == []
    assert "<script" not in path.read_text(encoding="utf-8")  # no JavaScript needed
    charts = _svgs(page.dom)
    assert len(charts) == 1
    svg, width, height = charts[0]
    assert width >= 400 and height >= 250
    share, colours = _drawn_share(svg, (width, height), SCREENSHOTS / f"{which}_chart.png")
    assert share > 0.03, f"the {which} chart is nearly blank ({share:.1%} drawn)"
    assert colours >= 8  # lines, bands or cells, axes and text: not one flat colour
    full = Image.open(page.screenshot)
    assert full.size == (1300, 2200)
