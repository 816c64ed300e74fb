"""Check every page of the built book in a real browser, the way a reader sees it.

Usage: python tools/check_site.py [--site _build/html] [--screenshots _build/screenshots]
                                  [--no-screenshots] [PAGE.html ...]

Headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by selenium)
opens each chapter and reference page after MathJax has typeset it, and reports, page by
page:

- raw TeX left in the typeset text (``\\(``, ``\\[`` or ``$$`` outside code), or a page
  whose source has math but shows no typeset formula;
- an ``<img>`` that did not load (natural width 0), or whose alt text is missing or is a
  file name rather than a description;
- a cell output that holds a traceback or an error;
- an internal link or ``#anchor`` (equation references included) that leads nowhere;
- a page that does not turn dark in the dark theme, and a figure PNG with a transparent
  background, which the dark theme would show as dark-on-dark;
- a page wider than a phone's screen (390 px).

It saves a screenshot of every page in the light and the dark theme and at a phone's
width to the screenshots folder, for review. The generated index, search and ``_modules``
pages are skipped. Exit status 1 if any page has a problem.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"genindex.html", "search.html", "py-modindex.html"}
SKIPPED_FOLDERS = {"_modules", "_static", "_sources", "_images", "_panels_static"}
DESKTOP = (1280, 1600)
PHONE = (390, 844)
TALLEST_SCREENSHOT = 12000

# Walk the typeset text of the article, skipping code and what MathJax produced, and
# return each text node that still holds TeX delimiters.
RAW_TEX_SCRIPT = r"""
const article = document.querySelector("article") || document.body;
const skip = "pre, code, script, style, mjx-container, .MathJax, .highlight, textarea";
const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
const found = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (node.parentElement && node.parentElement.closest(skip)) continue;
  const text = node.textContent;
  if (text.includes("\\(") || text.includes("\\[") || text.includes("$$")) {
    found.push(text.trim().slice(0, 80));
  }
}
return found;
"""

IMAGES_SCRIPT = r"""
return Array.from(document.querySelectorAll("article img")).map((img) => ({
  src: img.getAttribute("src") || "",
  alt: img.getAttribute("alt"),
  loaded: img.complete && img.naturalWidth > 0,
}));
"""

# MathJax 3 resolves startup.promise once the page is typeset; pages without math have
# no MathJax object at all.
WAIT_FOR_MATHJAX = r"""
const done = arguments[arguments.length - 1];
const typeset = () => (window.MathJax && MathJax.startup && MathJax.startup.promise)
  ? MathJax.startup.promise.then(() => done(true), () => done(false))
  : done(null);
if (document.readyState === "complete") typeset();
else window.addEventListener("load", typeset);
"""

# How far the article reaches past the right edge of a phone's screen: its box, or its
# content beyond its box. (The theme's hidden drawers are left out: a reader never sees
# them unless they open one.)
PHONE_OVERFLOW_SCRIPT = r"""
const article = document.querySelector("article") || document.body;
const box = article.getBoundingClientRect();
const screen = document.documentElement.clientWidth;
return Math.max(box.right - screen, article.scrollWidth - article.clientWidth, 0);
"""

BACKGROUND_SCRIPT = r"""
const color = getComputedStyle(document.body).backgroundColor;
const [r, g, b] = color.match(/\d+(\.\d+)?/g).map(Number);
return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
"""


@dataclass
class Report:
    page: str
    problems: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        self.problems.append(problem)


def pages_of(site: Path) -> list[Path]:
    """Every chapter and reference page of the site, in a stable order."""
    return sorted(
        path
        for path in site.rglob("*.html")
        if path.name not in SKIPPED and not SKIPPED_FOLDERS & set(path.relative_to(site).parts)
    )


@cache
def ids_of(path: Path) -> frozenset[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return frozenset(element["id"] for element in soup.find_all(id=True))


def static_soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def check_links(page: Path, soup: BeautifulSoup, site: Path, report: Report) -> None:
    """Every internal link leads to a file of the site, and every #anchor to an id."""
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"]
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//") or href.startswith("mailto:"):
            continue
        target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        if not target.exists():
            report.add(f"link to a missing page: {href}")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html" and fragment not in ids_of(target):
            report.add(f"link to a missing anchor: {href}")


def check_outputs(soup: BeautifulSoup, report: Report) -> None:
    """No cell output shows a traceback or an error."""
    for output in soup.select(".cell_output"):
        text = output.get_text()
        classes = {c for element in output.select("[class]") for c in element["class"]}
        if "Traceback (most recent call last)" in text or {"traceback", "error"} & classes:
            report.add(f"a cell output holds an error: {text.strip()[:80]!r}")


def looks_like_a_file_name(alt: str, src: str) -> bool:
    # What a renderer fills in when nobody wrote alt text: the image's path, its file
    # name, or a content hash.
    alt = alt.strip()
    return (
        alt == src
        or re.fullmatch(r"[\w./-]*\.(png|jpe?g|svg|gif)", alt) is not None
        or re.fullmatch(r"[0-9a-f]{16,}", alt) is not None
    )


def check_images(page: Path, images: list[dict], report: Report) -> None:
    for image in images:
        src = image["src"]
        if not image["loaded"]:
            report.add(f"an image did not load: {src}")
            continue
        alt = image["alt"] or ""
        if not alt.strip() or looks_like_a_file_name(alt, src):
            report.add(f"an image has no alt text that says what it shows: {src} (alt={alt!r})")
        if src.endswith(".png") and not urlsplit(src).scheme:
            with Image.open((page.parent / unquote(src)).resolve()) as png:
                if png.mode in ("RGBA", "LA", "P") and png.convert("RGBA").getextrema()[3][0] < 255:
                    report.add(f"a figure has a transparent background: {src}")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def open_page(driver: webdriver.Chrome, page: Path) -> None:
    """Load a page in the light theme at a desktop's width and wait for MathJax."""
    driver.set_window_size(*DESKTOP)
    driver.get(page.as_uri())
    driver.execute_async_script(WAIT_FOR_MATHJAX)


def set_theme(driver: webdriver.Chrome, theme: str) -> None:
    # pydata-sphinx-theme switches its colours on the data-theme attribute of <html>.
    driver.execute_script(f"document.documentElement.dataset.theme = '{theme}';")


def screenshot(driver: webdriver.Chrome, path: Path, width: int) -> None:
    """The whole page at `width`: the window is made as tall as the page (up to a cap)."""
    driver.set_window_size(width, 400)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 400), TALLEST_SCREENSHOT))
    driver.save_screenshot(str(path))


def check_page(
    driver: webdriver.Chrome, page: Path, site: Path, screenshots: Path | None
) -> Report:
    name = str(page.relative_to(site))
    report = Report(name)
    soup = static_soup(page)
    check_links(page, soup, site, report)
    check_outputs(soup, report)
    if soup.select('a[href*="executablebooks/jupyter-book"]'):
        report.add("a button points at Jupyter Book's own repository, not the book's")
    shot_name = name.removesuffix(".html").replace("/", "-")

    open_page(driver, page)
    for raw in driver.execute_script(RAW_TEX_SCRIPT):
        report.add(f"raw TeX in the page: {raw!r}")
    if soup.select(".math") and not driver.execute_script(
        "return document.querySelectorAll('mjx-container').length"
    ):
        report.add("the page has math, and none of it was typeset")
    check_images(page, driver.execute_script(IMAGES_SCRIPT), report)
    if screenshots:
        screenshot(driver, screenshots / f"{shot_name}-light.png", DESKTOP[0])

    set_theme(driver, "dark")
    if driver.execute_script(BACKGROUND_SCRIPT) > 0.3:
        report.add("the page stays light in the dark theme")
    if screenshots:
        screenshot(driver, screenshots / f"{shot_name}-dark.png", DESKTOP[0])

    set_theme(driver, "light")
    driver.set_window_size(*PHONE)
    overflow = driver.execute_script(PHONE_OVERFLOW_SCRIPT)
    if overflow > 1:
        report.add(f"the page is {overflow} px wider than a phone's screen")
    if screenshots:
        screenshot(driver, screenshots / f"{shot_name}-phone.png", PHONE[0])
    return report


def check_site(site: Path, pages: list[Path], screenshots: Path | None) -> list[Report]:
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
    driver = browser()
    try:
        return [check_page(driver, page, site, screenshots) for page in pages]
    finally:
        driver.quit()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to check (default: all)")
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--no-screenshots", action="store_true")
    arguments = parser.parse_args(argv)
    site = arguments.site.resolve()
    if not (site / "index.html").is_file():
        print(f"check-site: no built site in {site}: run make book first")
        return 2
    pages = [page.resolve() for page in arguments.pages] or pages_of(site)
    screenshots = None if arguments.no_screenshots else arguments.screenshots
    reports = check_site(site, pages, screenshots)
    problems = 0
    for report in reports:
        for problem in report.problems:
            print(f"{report.page}: {problem}")
        problems += len(report.problems)
    where = f"; screenshots in {screenshots}" if screenshots else ""
    print(f"check-site: {len(reports)} pages, {problems} problems{where}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
