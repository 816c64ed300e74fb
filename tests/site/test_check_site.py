"""tools/check_site.py can fail: faults planted in a copy of the built site are reported.

This test needs the built book (`make book`), so `make check-site` runs it right after
checking the real site; the main pytest run leaves this folder out.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
PAGE = Path("book") / "foundations" / "sigmoid.html"

spec = importlib.util.spec_from_file_location("check_site", ROOT / "tools" / "check_site.py")
check_site = importlib.util.module_from_spec(spec)
sys.modules["check_site"] = check_site  # its dataclasses look their module up by name
spec.loader.exec_module(check_site)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (SITE / PAGE).is_file():
        pytest.fail("build the book first (make book): tests/site checks the built site")
    site = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(SITE, site)
    page = site / PAGE
    html = page.read_text(encoding="utf-8")
    faults = (
        '<p>A broken image: <img src="../../_images/no-such-figure.png" alt="a figure"></p>'
        # MathJax typesets any balanced $$...$$; a lone one, as a broken MyST parse
        # leaves it, stays raw on the page.
        "<p>Raw TeX: $$x^2 + y^2</p>"
        '<p><a href="#no-such-anchor">a dead anchor</a></p>'
    )
    # Plant the faults at the start of the article, where a reader would see them.
    marker = '<article class="bd-article">'
    assert marker in html, "the theme's article element moved: update this test"
    page.write_text(html.replace(marker, marker + faults, 1), encoding="utf-8")
    return site


def test_the_planted_faults_are_all_reported(planted: Path) -> None:
    (report,) = check_site.check_site(planted, [planted / PAGE], screenshots=None)
    problems = "\n".join(report.problems)
    assert "an image did not load: ../../_images/no-such-figure.png" in problems, problems
    assert "raw TeX in the page: 'Raw TeX: $$x^2 + y^2'" in problems, problems
    assert "link to a missing anchor: #no-such-anchor" in problems, problems


def test_the_real_page_has_none_of_them() -> None:
    (report,) = check_site.check_site(SITE, [SITE / PAGE], screenshots=None)
    assert report.problems == []
