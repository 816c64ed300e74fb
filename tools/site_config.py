"""Print the configuration of the published site: _config.yml plus the launch buttons.

Usage: python tools/site_config.py > site.yml && jupyter-book build . --config site.yml

The published book has Binder and Colab launch buttons and a repository button, which all
need the repository's address. It comes from the environment variable BOOK_REPOSITORY_URL
(the publishing workflow sets it from the repository it runs in), or else from
``[tool.crossent.book] repository`` in pyproject.toml. _config.yml itself names no
repository, so a local build shows none of these buttons instead of pointing at Jupyter
Book's own repository, its default.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def repository_url() -> str:
    url = os.environ.get("BOOK_REPOSITORY_URL", "").strip()
    if not url:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            url = tomllib.load(handle)["tool"]["crossent"]["book"]["repository"].strip()
    return url.removesuffix("/").removesuffix(".git")


def site_config(base: dict, url: str, branch: str) -> dict:
    """_config.yml with the repository, its buttons and the launch buttons switched on."""
    config = dict(base)
    config["repository"] = {"url": url, "path_to_book": "", "branch": branch}
    config["html"] = {**base.get("html", {}), "use_repository_button": True,
                      "use_issues_button": True}
    config["launch_buttons"] = {
        "notebook_interface": "jupyterlab",
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
    }
    return config


def main() -> int:
    url = repository_url()
    if not url:
        print(
            "site_config: no repository URL. Set BOOK_REPOSITORY_URL, or [tool.crossent.book] "
            "repository in pyproject.toml.",
            file=sys.stderr,
        )
        return 2
    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    branch = os.environ.get("BOOK_BRANCH", "main")
    yaml.safe_dump(site_config(base, url, branch), sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
