"""The registry of names (crossent.names) and the ``crossent names`` command."""

from __future__ import annotations

import dataclasses
import doctest
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crossent
import crossent.__main__ as cli
from crossent import names
from crossent.names import (
    ALIASES,
    FRAMEWORKS,
    LOSSES,
    TABLE_COLUMNS,
    Alias,
    FrameworkSupport,
    Implementation,
    Loss,
    describe,
    get,
    get_alias,
    lookup,
    search,
    suggest,
    table,
)

# The design fixes these; the registry must use exactly these strings.
CHAPTERS = {
    "book/foundations/cross_entropy",
    "book/losses/categorical_cross_entropy",
    "book/losses/binary_cross_entropy",
    "book/losses/multilabel_softmax",
}
# The package's losses, derived from its public names: a loss L is exported with its two
# partners, L_grad and L_value_and_grad, as the package docstring says.
CROSSENT_FUNCTIONS = {
    name
    for name in crossent.__all__
    if f"{name}_grad" in crossent.__all__ and f"{name}_value_and_grad" in crossent.__all__
}
REGISTRY_FUNCTIONS = sorted({function for loss in LOSSES for function in loss.functions})

# The names the source articles use for the losses, and the layers they name.
SEED_NAMES = (
    "Cross-Entropy loss",
    "Categorical Cross-Entropy loss",
    "Binary Cross-Entropy Loss",
    "Softmax Loss",
    "Logistic Loss",
    "Multinomial Logistic Loss",
    "Sigmoid Cross-Entropy loss",
    "Softmax Classifier",
    "log loss",
)
SEED_LAYERS = {
    # layer name in the seeds: the entry it must lead to
    "SoftmaxWithLoss": "softmax_cross_entropy",
    "MultinomialLogisticLoss": "cross_entropy",
    "SigmoidCrossEntropyLoss": "sigmoid_binary_cross_entropy",
    "CrossEntropyLoss": "softmax_cross_entropy",
    "LogSoftmax": "softmax_cross_entropy",
    "NLLLoss": "softmax_cross_entropy",
    "BCELoss": "binary_cross_entropy",
    "log_loss": "binary_cross_entropy",
    "softmax_cross_entropy": "softmax_cross_entropy",
    "sigmoid_cross_entropy": "sigmoid_binary_cross_entropy",
}

# What each name means, written from the frameworks' documentation, not from the registry.
EXPECTED_MEANINGS = {
    "softmax loss": {"softmax_cross_entropy"},
    "softmax cross-entropy": {"softmax_cross_entropy"},
    "sigmoid cross-entropy": {"sigmoid_binary_cross_entropy"},
    "binary cross-entropy with logits": {"sigmoid_binary_cross_entropy"},
    "BCEWithLogits": {"sigmoid_binary_cross_entropy"},
    "sigmoid loss": {"sigmoid_binary_cross_entropy"},
    "multi-label softmax loss": {"multilabel_softmax_cross_entropy"},
    "H(t, p)": {"cross_entropy"},
    "H(p, q)": {"cross_entropy"},
    "cross-entropy": {"cross_entropy"},
    # Ambiguous: scikit-learn's log loss takes probabilities, binary or over C classes.
    "log loss": {"binary_cross_entropy", "cross_entropy"},
    # Ambiguous: the logistic loss on logits, and scikit-learn's other name for log loss.
    "logistic loss": {"binary_cross_entropy", "sigmoid_binary_cross_entropy"},
    # Ambiguous: statistics' softmax loss, and Caffe's layer that takes probabilities.
    "multinomial logistic loss": {"softmax_cross_entropy", "cross_entropy"},
    # Ambiguous: PyTorch's CrossEntropyLoss takes logits, scikit-learn's takes probabilities.
    "cross-entropy loss": {"softmax_cross_entropy", "cross_entropy"},
    # Ambiguous: Keras's CategoricalCrossentropy takes probabilities unless from_logits=True.
    "categorical cross-entropy": {"softmax_cross_entropy", "cross_entropy"},
    "sparse categorical cross-entropy": {"softmax_cross_entropy", "cross_entropy"},
    # Ambiguous: PyTorch's NLLLoss after log_softmax of logits, or after log of probabilities.
    "NLL": {"softmax_cross_entropy", "cross_entropy"},
    # Ambiguous: PyTorch's BCELoss takes probabilities; many texts mean sigmoid + BCE.
    "binary cross-entropy": {"binary_cross_entropy", "sigmoid_binary_cross_entropy"},
    "BCE": {"binary_cross_entropy", "sigmoid_binary_cross_entropy"},
}


def keys(losses: tuple[Loss, ...]) -> set[str]:
    return {loss.key for loss in losses}


def squash(name: str) -> str:
    """The registry's comparison, written out independently: no case, no separators."""
    return re.sub(r"[\s_-]", "", name.lower())


# --- lookup -----------------------------------------------------------------------------


def test_every_alias_of_every_entry_resolves_to_that_entry() -> None:
    for loss in LOSSES:
        for alias in loss.aliases:
            assert loss in lookup(alias), f"{alias!r} does not lead to {loss.key}"


def test_every_key_resolves_to_its_entry() -> None:
    for loss in LOSSES:
        assert loss in lookup(loss.key)
        assert get(loss.key) is loss


def test_a_name_returns_exactly_the_entries_that_list_it_in_book_order() -> None:
    for alias in ALIASES:
        owners = tuple(
            loss for loss in LOSSES if squash(alias.name) in {squash(name) for name in loss.aliases}
        )
        assert lookup(alias.name) == owners


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_MEANINGS.items()))
def test_names_mean_what_the_frameworks_documentation_says(name: str, expected: set) -> None:
    assert keys(lookup(name)) == expected


def test_ambiguous_names_return_several_entries_and_explain_why() -> None:
    ambiguous = [alias for alias in ALIASES if alias.ambiguous]
    assert {alias.name for alias in ambiguous} >= {"log loss", "logistic loss", "NLL"}
    for alias in ambiguous:
        assert len(lookup(alias.name)) > 1
        assert len(alias.note) > 40, f"{alias.name!r} needs a real explanation"
    for alias in ALIASES:
        if not alias.ambiguous:
            assert alias.note == "", f"{alias.name!r} is unambiguous but has a note"


@st.composite
def respelled_alias(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from([alias.name for alias in ALIASES]))
    pieces = [draw(st.sampled_from(["", " ", "  "]))]
    for char in name:
        if char in " -_":
            pieces.append(draw(st.sampled_from(["", " ", "-", "_", " - ", "__"])))
        else:
            pieces.append(char.upper() if draw(st.booleans()) else char.lower())
    pieces.append(draw(st.sampled_from(["", " ", "\t"])))
    return name, "".join(pieces)


@settings(deadline=None, max_examples=300)
@given(respelled_alias())
def test_lookup_ignores_case_spaces_hyphens_and_underscores(pair: tuple[str, str]) -> None:
    name, respelled = pair
    assert lookup(respelled) == lookup(name)
    assert get_alias(respelled) == get_alias(name)


def test_unknown_name_raises_key_error_with_a_suggestion() -> None:
    with pytest.raises(KeyError, match="softmax loss") as caught:
        lookup("sofmax loss")
    assert "sofmax loss" in str(caught.value)


def test_unknown_name_with_nothing_close_points_to_the_list_of_names() -> None:
    with pytest.raises(KeyError, match="ALIASES"):
        lookup("qqqq zzzz xxxx")


def test_lookup_rejects_a_non_string_and_an_empty_name() -> None:
    with pytest.raises(TypeError, match="name must be a str, got int"):
        lookup(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty"):
        lookup("   ")


def test_get_takes_exact_keys_only() -> None:
    with pytest.raises(KeyError, match="softmax_cross_entropy"):
        get("Softmax Loss")
    with pytest.raises(TypeError, match="key must be a str"):
        get(None)  # type: ignore[arg-type]


def test_get_alias_knows_names_and_returns_none_otherwise() -> None:
    alias = get_alias("log-loss")
    assert isinstance(alias, Alias)
    assert alias.name == "log loss"
    assert get_alias("not a loss at all") is None


def test_suggest_finds_close_names_and_nothing_for_nonsense() -> None:
    assert suggest("sofmax loss")[0] == "softmax loss"
    assert suggest("BCEWithLogit")[0] == "BCEWithLogits"
    assert suggest("qqqq zzzz xxxx") == []
    with pytest.raises(TypeError, match="name must be a str"):
        suggest(1.5)  # type: ignore[arg-type]


# --- search -----------------------------------------------------------------------------


def test_empty_search_returns_every_entry() -> None:
    assert search("") == LOSSES


def test_search_matches_parts_of_names_aliases_and_layers() -> None:
    assert keys(search("logistic")) == {
        "cross_entropy",
        "softmax_cross_entropy",
        "binary_cross_entropy",
        "sigmoid_binary_cross_entropy",
    }
    assert keys(search("multi-label softmax")) == {"multilabel_softmax_cross_entropy"}
    # MultiLabelSoftMarginLoss is PyTorch's name for the sigmoid loss.
    assert keys(search("multilabel")) == {
        "sigmoid_binary_cross_entropy",
        "multilabel_softmax_cross_entropy",
    }
    assert keys(search("with_integer_labels")) == {"softmax_cross_entropy"}
    assert search("no such layer anywhere") == ()
    with pytest.raises(TypeError, match="query must be a str"):
        search(["softmax"])  # type: ignore[arg-type]


def test_every_layer_name_finds_its_entry() -> None:
    for loss in LOSSES:
        for support in loss.frameworks:
            for implementation in support.implementations or ():
                for api in implementation.api:
                    assert loss in search(api), f"searching {api!r} misses {loss.key}"


# --- the source articles ----------------------------------------------------------------


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_name_the_source_articles_use_is_known(name: str) -> None:
    assert lookup(name)


@pytest.mark.parametrize(("layer", "key"), sorted(SEED_LAYERS.items()))
def test_every_layer_the_source_articles_name_is_found(layer: str, key: str) -> None:
    assert key in keys(search(layer))


# --- the entries ------------------------------------------------------------------------


def test_entries_are_the_five_canonical_losses_in_book_order() -> None:
    assert [loss.key for loss in LOSSES] == [
        "cross_entropy",
        "softmax_cross_entropy",
        "binary_cross_entropy",
        "sigmoid_binary_cross_entropy",
        "multilabel_softmax_cross_entropy",
    ]
    assert [loss.chapter for loss in LOSSES] == [
        "book/foundations/cross_entropy",
        "book/losses/categorical_cross_entropy",
        "book/losses/binary_cross_entropy",
        "book/losses/binary_cross_entropy",
        "book/losses/multilabel_softmax",
    ]


def test_every_chapter_is_one_of_the_four_docnames() -> None:
    assert set(names.CHAPTERS) == CHAPTERS
    assert {loss.chapter for loss in LOSSES} == CHAPTERS


def test_every_function_name_is_a_loss_of_the_package_and_all_are_used() -> None:
    used = [function for loss in LOSSES for function in loss.functions]
    assert set(used) == CROSSENT_FUNCTIONS
    assert len(used) == len(set(used)), "a function appears under two entries"


@pytest.mark.parametrize("function", REGISTRY_FUNCTIONS)
def test_every_function_named_by_the_registry_exists_in_the_package(function: str) -> None:
    assert function in crossent.__all__, f"crossent.{function} is not public"
    assert callable(getattr(crossent, function, None)), f"crossent.{function} is missing"


def test_entries_are_immutable() -> None:
    loss = LOSSES[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        loss.title = "something else"  # type: ignore[misc]
    for entry in LOSSES:
        assert isinstance(entry.aliases, tuple)
        assert isinstance(entry.frameworks, tuple)
    assert isinstance(LOSSES, tuple)
    assert isinstance(ALIASES, tuple)


def _has_balanced(latex: str, opening: str, closing: str) -> bool:
    depth = 0
    for token in re.findall(re.escape(opening) + "|" + re.escape(closing), latex):
        depth += 1 if token == opening else -1
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.key)
def test_formulas_are_well_formed_latex_without_delimiters(loss: Loss) -> None:
    for latex in (loss.formula, loss.gradient):
        assert "$" not in latex
        unescaped = latex.replace(r"\{", "").replace(r"\}", "")
        assert _has_balanced(unescaped, "{", "}"), latex
        assert _has_balanced(latex, "(", ")"), latex
        assert _has_balanced(latex, r"\left", r"\right"), latex
        assert _has_balanced(latex, r"\bigl", r"\bigr"), latex
        for command in re.findall(r"\\([A-Za-z]+)", latex):
            assert command in {
                "sum",
                "log",
                "frac",
                "partial",
                "operatorname",
                "sigma",
                "max",
                "bigl",
                "bigr",
                "qquad",
            }, f"unexpected LaTeX command \\{command} in {latex!r}"
    assert loss.gradient.startswith(r"\frac{\partial")


def test_logit_losses_differentiate_with_respect_to_the_logits() -> None:
    for loss in LOSSES:
        takes_logits = loss.prediction.startswith("logits")
        assert (r"\partial z" in loss.gradient) == takes_logits, loss.key


def test_every_entry_describes_the_four_frameworks_in_order() -> None:
    for loss in LOSSES:
        assert tuple(support.framework for support in loss.frameworks) == FRAMEWORKS
        for support in loss.frameworks:
            if support.implementations is None:
                assert not support.builtin
                assert support.note.strip(), f"{loss.key}/{support.framework}"
            else:
                assert support.builtin
                for implementation in support.implementations:
                    assert implementation.api and all(implementation.api)


def _apis(key: str, framework: str) -> list[str]:
    support = get(key).support(framework)
    return [api for impl in support.implementations or () for api in impl.api]


def _implementation(key: str, framework: str, api: str) -> Implementation:
    for implementation in get(key).support(framework).implementations or ():
        if api in implementation.api:
            return implementation
    raise AssertionError(f"{api} is not listed under {key}/{framework}")


def test_framework_layers_are_filed_under_the_right_loss() -> None:
    assert "torch.nn.CrossEntropyLoss" in _apis("softmax_cross_entropy", "PyTorch")
    assert "torch.nn.BCELoss" in _apis("binary_cross_entropy", "PyTorch")
    assert "torch.nn.BCEWithLogitsLoss" in _apis("sigmoid_binary_cross_entropy", "PyTorch")
    assert "optax.softmax_cross_entropy_with_integer_labels" in _apis(
        "softmax_cross_entropy", "JAX/optax"
    )
    assert "optax.sigmoid_binary_cross_entropy" in _apis(
        "sigmoid_binary_cross_entropy", "JAX/optax"
    )
    assert _apis("softmax_cross_entropy", "Caffe") == ["SoftmaxWithLoss"]
    assert _apis("cross_entropy", "Caffe") == ["MultinomialLogisticLoss"]
    assert _apis("sigmoid_binary_cross_entropy", "Caffe") == ["SigmoidCrossEntropyLoss"]
    caffe_multinomial = _implementation("cross_entropy", "Caffe", "MultinomialLogisticLoss")
    assert caffe_multinomial.prediction.startswith("probabilities")


def test_keras_layers_take_logits_only_with_from_logits_true() -> None:
    for loss in LOSSES:
        for implementation in loss.support("TensorFlow/Keras").implementations or ():
            if not implementation.api[0].startswith("keras."):
                continue
            with_logits = "from_logits=True" in implementation.api[0]
            assert with_logits == loss.prediction.startswith("logits"), implementation.api
            assert implementation.prediction.startswith("logits") == with_logits


def test_class_axes_label_smoothing_clipping_and_reductions_are_recorded() -> None:
    torch_ce = _implementation("softmax_cross_entropy", "PyTorch", "torch.nn.CrossEntropyLoss")
    assert torch_ce.class_axis.startswith("dim 1")
    assert "eps / C" in torch_ce.label_smoothing
    assert "true class included" in torch_ce.label_smoothing
    assert torch_ce.reduction.startswith("'mean' (default)")

    keras_cce = _implementation(
        "softmax_cross_entropy",
        "TensorFlow/Keras",
        "keras.losses.CategoricalCrossentropy(from_logits=True)",
    )
    assert keras_cce.class_axis.startswith("axis=-1")
    assert "eps / C" in keras_cce.label_smoothing
    assert keras_cce.reduction.startswith("'sum_over_batch_size' (default)")

    keras_bce = _implementation(
        "binary_cross_entropy", "TensorFlow/Keras", "keras.losses.BinaryCrossentropy()"
    )
    assert "eps / 2" in keras_bce.label_smoothing
    assert "[1e-7, 1 - 1e-7]" in keras_bce.clipping

    optax_ce = _implementation("softmax_cross_entropy", "JAX/optax", "optax.softmax_cross_entropy")
    assert optax_ce.class_axis.startswith("axis=-1")
    assert optax_ce.reduction.startswith("none")
    assert "optax.smooth_labels" in optax_ce.label_smoothing

    torch_bce = _implementation("binary_cross_entropy", "PyTorch", "torch.nn.BCELoss")
    assert "-100" in torch_bce.clipping


def test_the_multilabel_softmax_loss_has_no_built_in_anywhere() -> None:
    for support in get("multilabel_softmax_cross_entropy").frameworks:
        assert support.implementations is None
    assert "t / " in get("multilabel_softmax_cross_entropy").support("PyTorch").note


def test_support_is_case_insensitive_and_rejects_unknown_frameworks() -> None:
    loss = get("softmax_cross_entropy")
    assert loss.support("pytorch") is loss.support("PyTorch")
    with pytest.raises(ValueError, match="MXNet"):
        loss.support("MXNet")
    with pytest.raises(TypeError, match="framework must be a str"):
        loss.support(0)  # type: ignore[arg-type]


# --- the data classes refuse bad data ---------------------------------------------------


def _implementation_fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "api": ("layer",),
        "prediction": "logits",
        "target": "labels",
        "class_axis": "last",
        "reduction": "mean",
    }
    fields.update(changes)
    return fields


def test_implementation_rejects_lists_and_empty_text() -> None:
    Implementation(**_implementation_fields())  # the baseline is valid
    with pytest.raises(TypeError, match=r"Implementation\.api must be a tuple of str"):
        Implementation(**_implementation_fields(api=["layer"]))
    with pytest.raises(ValueError, match=r"Implementation\.api must not be empty"):
        Implementation(**_implementation_fields(api=()))
    with pytest.raises(ValueError, match=r"Implementation\.reduction"):
        Implementation(**_implementation_fields(reduction=" "))


def test_framework_support_without_built_in_needs_a_note() -> None:
    with pytest.raises(ValueError, match="note must say how to build"):
        FrameworkSupport("PyTorch", None)
    with pytest.raises(ValueError, match="one of"):
        FrameworkSupport("MXNet", None, note="build it")
    with pytest.raises(ValueError, match="use None"):
        FrameworkSupport("Caffe", ())
    with pytest.raises(TypeError, match="tuple of Implementation"):
        FrameworkSupport("Caffe", ("SoftmaxWithLoss",))  # type: ignore[arg-type]


def test_loss_rejects_an_unknown_chapter_and_missing_frameworks() -> None:
    loss = get("cross_entropy")
    with pytest.raises(ValueError, match=r"Loss\.chapter must be one of"):
        dataclasses.replace(loss, chapter="book/losses/elsewhere")
    with pytest.raises(ValueError, match="in that order"):
        dataclasses.replace(loss, frameworks=loss.frameworks[:3])
    with pytest.raises(TypeError, match=r"Loss\.aliases must be a tuple of str"):
        dataclasses.replace(loss, aliases=["cross-entropy"])


def test_an_ambiguous_alias_needs_a_note() -> None:
    two = (get("binary_cross_entropy"), get("sigmoid_binary_cross_entropy"))
    with pytest.raises(ValueError, match="needs a note"):
        Alias("BCE", two)
    assert Alias("BCE", two, note="both").ambiguous


def test_the_alias_index_refuses_repeated_names_and_stray_notes() -> None:
    loss = get("cross_entropy")
    repeated = dataclasses.replace(loss, aliases=("log loss", "Log-Loss"))
    with pytest.raises(ValueError, match="twice"):
        names._build_aliases((repeated,), {})
    with pytest.raises(ValueError, match="not ambiguous"):
        names._build_aliases((loss,), {"cross-entropy": "a note for an unambiguous name"})


# --- table ------------------------------------------------------------------------------


def test_table_has_one_row_of_strings_per_entry() -> None:
    rows = table()
    assert len(rows) == len(LOSSES)
    for row, loss in zip(rows, LOSSES, strict=True):
        assert tuple(row) == TABLE_COLUMNS
        assert all(isinstance(value, str) and value for value in row.values())
        assert row["name"] == loss.title
        assert row["formula"] == loss.formula
        assert row["chapter"] == loss.chapter
    assert rows[-1]["pytorch"] == "no built-in"
    assert "torch.nn.BCEWithLogitsLoss" in rows[3]["pytorch"]
    assert "SoftmaxWithLoss" in rows[1]["caffe"]


def test_table_selects_losses_and_columns_in_the_order_given() -> None:
    chosen = [get("sigmoid_binary_cross_entropy"), get("cross_entropy")]
    rows = table(chosen, columns=["is", "key"])
    assert [list(row) for row in rows] == [["is", "key"], ["is", "key"]]
    assert [row["key"] for row in rows] == ["sigmoid_binary_cross_entropy", "cross_entropy"]
    assert [loss.key for loss in chosen] == ["sigmoid_binary_cross_entropy", "cross_entropy"]


def test_table_rejects_unknown_columns_and_foreign_entries() -> None:
    with pytest.raises(ValueError, match="'colour'"):
        table(columns=["name", "colour"])
    with pytest.raises(TypeError, match="each column must be a str"):
        table(columns=[1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="losses must hold Loss entries"):
        table(["softmax loss"])  # type: ignore[list-item]


def test_changing_a_table_row_does_not_change_the_registry() -> None:
    rows = table()
    rows[0]["name"] = "vandalised"
    rows.clear()
    assert table()[0]["name"] == LOSSES[0].title


# --- describe and the docstrings -------------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.key)
def test_describe_mentions_every_name_layer_and_framework(loss: Loss) -> None:
    text = describe(loss)
    flat = " ".join(text.split())
    assert text.splitlines()[0].startswith(loss.title)
    for alias in loss.aliases:
        assert alias in flat
    for support in loss.frameworks:
        assert f"{support.framework}:" in text
        for implementation in support.implementations or ():
            assert " / ".join(implementation.api) in text
    with pytest.raises(TypeError, match="loss must be a Loss"):
        describe(loss.key)  # type: ignore[arg-type]


@pytest.mark.parametrize("module", [names, cli], ids=["names", "__main__"])
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


# --- the command line -------------------------------------------------------------------


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crossent", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_prints_the_entry_for_a_name() -> None:
    done = _run("names", "softmax", "loss")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith(get("softmax_cross_entropy").title)
    assert "torch.nn.CrossEntropyLoss" in done.stdout
    assert "SoftmaxWithLoss" in done.stdout
    assert get("binary_cross_entropy").title not in done.stdout


def test_cli_explains_an_ambiguous_name() -> None:
    done = _run("names", "log loss")
    assert done.returncode == 0, done.stderr
    assert "ambiguous" in done.stdout
    assert get("cross_entropy").title in done.stdout
    assert get("binary_cross_entropy").title in done.stdout


def test_cli_without_a_query_prints_every_entry() -> None:
    done = _run("names")
    assert done.returncode == 0, done.stderr
    for loss in LOSSES:
        assert loss.title in done.stdout


def test_cli_reports_a_miss_on_stderr_and_exits_1() -> None:
    done = _run("names", "sofmax", "lss")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "'sofmax lss'" in done.stderr
    assert "softmax loss" in done.stderr


def test_cli_help_works() -> None:
    done = _run("--help")
    assert done.returncode == 0
    assert "names" in done.stdout


def test_console_script_is_installed_and_runs() -> None:
    script = Path(sys.executable).with_name("crossent")
    assert script.exists(), f"no console script at {script}; reinstall the package"
    done = subprocess.run(
        [str(script), "names", "BCEWithLogits"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(get("sigmoid_binary_cross_entropy").title)


def test_main_lists_every_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["names", "--aliases"]) == 0
    out = capsys.readouterr().out
    for alias in ALIASES:
        assert f"{alias.name}: " in out


def test_main_reports_usage_errors_as_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert cli.main(["names", "--aliases", "log", "loss"]) == 2
    assert "takes no QUERY" in capsys.readouterr().err
    assert cli.main(["frobnicate"]) == 2


def test_main_searches_when_the_query_is_not_a_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["names", "SoftMarginLoss"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(get("sigmoid_binary_cross_entropy").title)
