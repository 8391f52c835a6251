"""What a save that cannot happen, and a file that cannot be read, say: the path the user
gave (never the temporary file), the field, and JSON's own words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tinygrad_edu import MLP, CheckpointError


@pytest.fixture
def model() -> MLP:
    return MLP(2, [3, 1], seed=0)


def test_saving_into_a_missing_folder_names_the_path_and_the_folder(tmp_path, model):
    target = tmp_path / "no" / "such" / "m.json"
    with pytest.raises(FileNotFoundError) as caught:
        model.save(target)
    message = str(caught.value)
    assert f"cannot write {str(target)!r}" in message
    assert f"there is no folder {str(target.parent)!r}" in message
    assert ".tmp" not in message


def test_saving_onto_a_folder_says_it_is_a_folder(tmp_path, model):
    with pytest.raises(IsADirectoryError, match="that is a folder, not a file") as caught:
        model.save(tmp_path)
    assert ".tmp" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # no temporary file is left behind


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_saving_where_no_file_can_be_made_names_the_path(model):
    with pytest.raises(OSError, match=r"cannot write '/proc/m\.json'") as caught:
        model.save("/proc/m.json")
    assert ".tmp" not in str(caught.value)


def test_an_empty_path_is_a_value_error(model):
    with pytest.raises(ValueError, match="the file path is empty"):
        model.save("")
    with pytest.raises(ValueError, match="the file path is empty"):
        MLP.load("")


# ----- the wording of a damaged file ------------------------------------------------------


def saved(tmp_path: Path, model: MLP) -> Path:
    path = tmp_path / "m.json"
    model.save(path)
    return path


def test_a_truncated_string_is_worded_once(tmp_path, model):
    path = saved(tmp_path, model)
    text = path.read_text()
    path.write_text(text[: text.index('"sigmoid"') + 4])  # cut inside a string
    with pytest.raises(CheckpointError) as caught:
        MLP.load(path)
    message = str(caught.value)
    assert "Unterminated string starting at line " in message
    assert "at at" not in message


def test_a_null_is_called_null(tmp_path, model):
    path = saved(tmp_path, model)
    path.write_text(path.read_text().replace('"activation": "sigmoid"', '"activation": null'))
    with pytest.raises(CheckpointError) as caught:
        MLP.load(path)
    message = str(caught.value)
    assert message.endswith("got null") and "None" not in message


def test_a_boolean_is_called_by_its_json_name(tmp_path, model):
    path = saved(tmp_path, model)
    document = json.loads(path.read_text())
    document["architecture"]["sizes"][0] = True
    path.write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match=r"sizes\[0\]': expected a whole number, got true$"):
        MLP.load(path)


@pytest.mark.parametrize(
    "number, fragment",
    [
        ("1e999", "the number 1e999 is beyond the float range"),
        ("-1e999", "the number -1e999 is beyond the float range"),
        ("Infinity", "Infinity is not standard JSON"),
        ("NaN", "NaN is not standard JSON"),
    ],
)
def test_a_number_beyond_the_float_range_is_refused_like_infinity(
    tmp_path, model, number, fragment
):
    path = saved(tmp_path, model)
    document = json.loads(path.read_text())
    document["layers"][0]["biases"][0] = "PLACEHOLDER"
    path.write_text(json.dumps(document).replace('"PLACEHOLDER"', number))
    with pytest.raises(CheckpointError, match=f"corrupted: {fragment} .*only finite numbers"):
        MLP.load(path)
