"""The package as a whole: metadata, public names, typing marker."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata, resources
from pathlib import Path

import numpy as np

import crossent


def test_version_matches_the_installed_metadata() -> None:
    assert crossent.__version__ == metadata.version("crossent")


def test_every_public_name_exists_and_is_documented() -> None:
    for name in crossent.__all__:
        obj = getattr(crossent, name)
        if callable(obj):
            assert obj.__doc__, f"crossent.{name} has no docstring"


def test_py_typed_marker_ships_with_the_package() -> None:
    assert resources.files("crossent").joinpath("py.typed").is_file()


def test_unknown_attribute_raises_attribute_error() -> None:
    try:
        crossent.no_such_function  # noqa: B018
    except AttributeError as error:
        assert "no_such_function" in str(error)
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("crossent.no_such_function did not raise AttributeError")


def test_the_numpy_floor_is_the_numpy_the_oldest_tests_run_on() -> None:
    # `make test` runs the package tests a second time on requirements-oldest-numpy.txt;
    # its NumPy pin must be the floor that pyproject.toml declares, or the floor is untested.
    root = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    (floor,) = [re.fullmatch(r"numpy>=(\S+)", spec)[1] for spec in declared if "numpy" in spec]
    pinned = re.search(r"^numpy==(\S+)$", (root / "requirements-oldest-numpy.txt").read_text(), re.M)
    assert pinned and pinned[1] == floor, f"pyproject says numpy>={floor}, the oldest-NumPy run pins {pinned[1]}"


def test_the_package_tests_run_on_a_numpy_at_or_above_the_floor() -> None:
    root = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    (floor,) = [re.fullmatch(r"numpy>=(\S+)", spec)[1] for spec in declared if "numpy" in spec]
    as_tuple = lambda version: tuple(int(part) for part in re.findall(r"\d+", version)[:3])  # noqa: E731
    assert as_tuple(np.__version__) >= as_tuple(floor)
