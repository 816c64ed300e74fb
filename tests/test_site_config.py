"""The published site's buttons: on only when a repository is named, and pointing there."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("site_config", ROOT / "tools" / "site_config.py")
site_config = importlib.util.module_from_spec(spec)
spec.loader.exec_module(site_config)

BASE = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def test_a_local_build_names_no_repository_and_shows_no_launch_button() -> None:
    # Jupyter Book 1 would otherwise point the buttons at its own repository.
    assert "repository" not in BASE
    assert not BASE.get("launch_buttons")
    assert BASE["html"]["use_repository_button"] is False


def test_the_site_config_points_every_button_at_the_repository() -> None:
    url = "https://github.com/example/one-loss-many-names"
    config = site_config.site_config(BASE, url, "main")
    assert config["repository"] == {"url": url, "path_to_book": "", "branch": "main"}
    assert config["html"]["use_repository_button"] is True
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    # Everything else is the book's own configuration, unchanged.
    assert {k: v for k, v in config.items() if k not in ("repository", "html", "launch_buttons")} == {
        k: v for k, v in BASE.items() if k not in ("html",)
    }


def test_the_workflow_url_wins_over_pyproject(monkeypatch) -> None:
    monkeypatch.setenv("BOOK_REPOSITORY_URL", "https://github.com/example/book.git/")
    assert site_config.repository_url() == "https://github.com/example/book"


def test_binder_knows_the_python_version() -> None:
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
