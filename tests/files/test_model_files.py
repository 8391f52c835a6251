"""Model checkpoints: JSON that round-trips every bit, atomic writes that survive a crash, and
bad files that raise a ValueError naming the file and the field while changing nothing."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinygrad_edu import MLP, CheckpointError, load_into, load_model, save_model, train
from tinygrad_edu.files import atomic as atomic_file
from tinygrad_edu.files import model_file
from tinygrad_edu.files.json_file import FORMAT
from tinygrad_edu.nn import ACTIVATIONS


def bits(model: MLP) -> list[bytes]:
    return [struct.pack("<d", p.data) for p in model.parameters()]


def example_model(seed: int = 0) -> MLP:
    return MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=seed)


ODD_FLOATS = [
    -0.0,
    5e-324,  # the smallest subnormal
    2.2250738585072014e-308,  # the smallest normal
    1.7976931348623157e308,  # the largest finite
    1 / 3,
    0.1,
    -1e-300,
    -1.7976931348623157e308,
]
NOT_FINITE = [math.inf, -math.inf, math.nan, math.copysign(math.nan, -1.0)]


# ----- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("init", ["xavier", "he", "uniform"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_round_trip_keeps_architecture_and_every_bit(tmp_path, activation, init, fused):
    model = MLP(
        3, [5, 4, 2], activation, output_activation="linear", init=init, seed=7, fused=fused
    )
    model.save(tmp_path / "model.json")
    loaded = MLP.load(tmp_path / "model.json")
    assert bits(loaded) == bits(model)
    assert loaded.sizes == model.sizes
    assert (loaded.activation, loaded.output_activation) == (activation, "linear")
    assert loaded.init == init
    assert all(n.fused is fused for layer in loaded.layers for n in layer.neurons)
    assert [p.label for p in loaded.parameters()] == [p.label for p in model.parameters()]


def test_odd_floats_round_trip_bit_for_bit(tmp_path):
    model = MLP(2, [6, 1], seed=1)
    params = model.parameters()
    for p, x in zip(params, ODD_FLOATS * 3, strict=False):
        p.data = x
    save_model(model, tmp_path / "odd.json")
    assert bits(load_model(tmp_path / "odd.json")) == bits(model)


@pytest.mark.parametrize("bad", NOT_FINITE)
def test_a_parameter_that_is_not_finite_is_refused_before_anything_is_written(tmp_path, bad):
    path = tmp_path / "m.json"
    example_model(seed=1).save(path)
    old = path.read_bytes()
    model = example_model()
    model.parameter("W1[0,3]").data = bad
    with pytest.raises(ValueError, match=r"the weight W1\[0,3\] is (nan|inf|-inf).*finite"):
        model.save(path)
    assert path.read_bytes() == old and files_in(tmp_path) == ["m.json"]


@pytest.mark.parametrize("written", ['"nan"', '"-inf"', '"inf"', '"-nan"'])
def test_a_file_with_a_weight_that_is_not_finite_is_refused_naming_the_field(tmp_path, written):
    """Earlier versions wrote inf and NaN as strings; no node may hold them, so a model
    with one could not run: loading says so instead of failing at the first op."""
    path = tmp_path / "m.json"
    example_model().save(path)
    document = json.loads(path.read_text())
    document["layers"][1]["biases"][1] = "PLACEHOLDER"
    path.write_text(json.dumps(document).replace('"PLACEHOLDER"', written))
    model = example_model(seed=5)
    before = bits(model)
    with pytest.raises(CheckpointError, match=r"field 'layers\[1\]\.biases\[1\]': .*finite"):
        model.load_parameters(path)
    assert bits(model) == before


def test_the_file_is_standard_json_with_a_version(tmp_path):
    model = example_model()
    model.parameters()[0].data = 0.1
    model.save(tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text(encoding="utf-8")

    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    document = json.loads(text, parse_constant=refuse)
    assert document["format"] == "tinygrad_edu checkpoint" and document["version"] == 1
    assert document["architecture"] == {
        "sizes": [3, 4, 2],
        "activation": "tanh",
        "output_activation": "sigmoid",
        "init": "xavier",
        "fused": True,
    }
    # weights[i][j] is the weight from input i to neuron j, as in MLP.from_weights
    assert document["layers"][0]["weights"][0][0] == 0.1
    assert document["layers"][1]["weights"][2][1] == model.parameter("W2[2,1]").data


def test_a_loaded_model_computes_the_same_values_and_gradients(tmp_path):
    model = example_model(seed=3)
    model.save(tmp_path / "m.json")
    loaded = MLP.load(tmp_path / "m.json")
    results = []
    for m in (model, loaded):
        outputs = m([0.2, -0.4, 0.9])
        (outputs[0] * outputs[1]).backward()
        results.append(([o.data for o in outputs], [p.grad for p in m.parameters()]))
    assert results[0] == results[1]


def test_from_weights_models_round_trip_with_their_given_init(tmp_path):
    model = MLP.from_weights([[[0.1, 0.2]], [[0.3], [0.4]]], [[0.5, 0.6], [0.7]], "relu")
    model.save(tmp_path / "w.json")
    loaded = MLP.load(tmp_path / "w.json")
    assert loaded.init == "given" and bits(loaded) == bits(model)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    activations=st.tuples(
        st.sampled_from(sorted(ACTIVATIONS)), st.sampled_from(sorted(ACTIVATIONS))
    ),
    data=st.data(),
)
def test_any_model_with_any_float_bits_round_trips(tmp_path, sizes, activations, data):
    model = MLP(sizes[0], sizes[1:], *activations, seed=0)
    for p in model.parameters():
        p.data = data.draw(st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True))
    save_model(model, tmp_path / "any.json")
    loaded = load_model(tmp_path / "any.json")
    assert bits(loaded) == bits(model)


# ----- load_into: everything or nothing ---------------------------------------------------


def test_load_into_overwrites_every_parameter(tmp_path):
    source = example_model(seed=1)
    source.save(tmp_path / "m.json")
    target = example_model(seed=2)
    assert bits(target) != bits(source)
    load_into(target, tmp_path / "m.json")
    assert bits(target) == bits(source)


def test_load_into_reads_the_model_inside_a_training_checkpoint(tmp_path):
    model = example_model(seed=1)
    train(
        model,
        [[0.1, 0.2, 0.3]],
        [[0.0, 1.0]],
        epochs=2,
        print_every=0,
        checkpoint_every=1,
        checkpoint_path=tmp_path / "run.json",
    )
    fresh = example_model(seed=5)
    load_into(fresh, tmp_path / "run.json")
    assert bits(fresh) == bits(model) == bits(MLP.load(tmp_path / "run.json"))


@pytest.mark.parametrize(
    "other, field",
    [
        (MLP(3, [5, 2], "tanh", "sigmoid"), "architecture.sizes"),
        (MLP(2, [4, 2], "tanh", "sigmoid"), "architecture.sizes"),
        (MLP(3, [4, 2, 1], "tanh", "sigmoid"), "architecture.sizes"),
        (MLP(3, [4, 2], "relu", "sigmoid"), "architecture.activation"),
        (MLP(3, [4, 2], "tanh", "linear"), "architecture.output_activation"),
    ],
)
def test_load_into_a_model_of_another_shape_names_the_field_and_changes_nothing(
    tmp_path, other, field
):
    example_model().save(tmp_path / "m.json")
    before = bits(other)
    with pytest.raises(
        CheckpointError, match=rf"m\.json: field '{field}': the file has .* but the model has"
    ):
        load_into(other, tmp_path / "m.json")
    assert bits(other) == before


def test_a_bad_last_number_leaves_every_parameter_unchanged(tmp_path):
    path = tmp_path / "m.json"
    example_model(seed=1).save(path)
    document = json.loads(path.read_text())
    document["layers"][-1]["biases"][-1] = "oops"  # the very last parameter
    path.write_text(json.dumps(document))
    target = example_model(seed=2)
    before = bits(target)
    with pytest.raises(
        CheckpointError, match=r"field 'layers\[1\]\.biases\[1\]': expected a number"
    ):
        load_into(target, path)
    assert bits(target) == before


# ----- bad files -----------------------------------------------------------------------------


def valid_document() -> dict:
    model = example_model()
    return json.loads(
        json.dumps(
            {"format": FORMAT, "version": 1, "kind": "model", **model_file.fields(model.to_data())}
        )
    )


def mutate(path_in_document: tuple, value: object):
    def apply(document: dict) -> dict:
        target = document
        for key in path_in_document[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path_in_document[-1]]
        else:
            target[path_in_document[-1]] = value
        return document

    return apply


DELETE = object()

BAD_DOCUMENTS = [
    (mutate(("format",), "pickle"), "format"),
    (mutate(("format",), DELETE), "format"),
    (mutate(("version",), 2), "version"),
    (mutate(("version",), "1"), "version"),
    (mutate(("version",), True), "version"),
    (mutate(("version",), 1.0), "version"),
    (mutate(("kind",), "banana"), "kind"),
    (mutate(("architecture",), DELETE), "architecture"),
    (mutate(("architecture",), [3, 4, 2]), "architecture"),
    (mutate(("architecture", "sizes"), [3]), "architecture.sizes"),
    (mutate(("architecture", "sizes"), [3, 4]), "layers"),
    (mutate(("architecture", "sizes"), [3, 0, 2]), r"architecture.sizes\[1\]"),
    (mutate(("architecture", "sizes"), [3, "4", 2]), r"architecture.sizes\[1\]"),
    (mutate(("architecture", "sizes"), [3, 4.5, 2]), r"architecture.sizes\[1\]"),
    (mutate(("architecture", "sizes"), "3,4,2"), "architecture.sizes"),
    (mutate(("architecture", "activation"), "softplus"), "architecture.activation"),
    (mutate(("architecture", "output_activation"), 5), "architecture.output_activation"),
    (mutate(("architecture", "fused"), "yes"), "architecture.fused"),
    (mutate(("architecture", "init"), None), "architecture.init"),
    (mutate(("architecture", "extra"), 1), "architecture.extra"),
    (mutate(("layers",), []), "layers"),
    (mutate(("layers", 1), DELETE), "layers"),
    (mutate(("layers", 0, "weights", 1), [0.1, 0.2]), r"layers\[0\].weights\[1\]"),
    (mutate(("layers", 0, "weights"), [[0.1] * 4] * 2), r"layers\[0\].weights"),
    (mutate(("layers", 1, "biases"), [0.0]), r"layers\[1\].biases"),
    (mutate(("layers", 1, "biases"), DELETE), r"layers\[1\].biases"),
    (mutate(("layers", 0, "weights", 0, 2), "abc"), r"layers\[0\].weights\[0\]\[2\]"),
    (mutate(("layers", 0, "weights", 0, 2), None), r"layers\[0\].weights\[0\]\[2\]"),
    (mutate(("layers", 0, "weights", 0, 2), True), r"layers\[0\].weights\[0\]\[2\]"),
    (mutate(("layers", 0, "weights", 0, 2), [1.0]), r"layers\[0\].weights\[0\]\[2\]"),
    (mutate(("layers", 0, "weights", 0, 2), 2**60), r"layers\[0\].weights\[0\]\[2\]"),
    (mutate(("layers", 0, "code"), "__import__('os').system('echo hacked')"), r"layers\[0\].code"),
]


@pytest.mark.parametrize("change, field", BAD_DOCUMENTS)
def test_a_wrong_field_raises_naming_the_file_and_the_field_and_changes_nothing(
    tmp_path, change, field
):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(change(valid_document())))
    with pytest.raises(CheckpointError, match=rf"bad\.json: field '{field}'"):
        load_model(path)
    target = example_model(seed=9)
    before = bits(target)
    with pytest.raises(ValueError, match=rf"bad\.json: field '{field}'"):
        load_into(target, path)
    assert bits(target) == before


def corrupt_texts() -> list[tuple[str, bytes, str]]:
    good = json.dumps(valid_document()).encode()
    return [
        ("empty", b"", "not complete JSON"),
        ("half", good[: len(good) // 2], "not complete JSON"),
        ("last byte missing", good[:-1], "not complete JSON"),
        ("garbage", b"\x80\x04\x95 pickle bytes", "not UTF-8"),
        ("a pickle", b"\x80\x04K\x01.", "not UTF-8"),
        ("text", b"hello", "not complete JSON"),
        ("a list", b"[1, 2]", "top level: expected a JSON object"),
        ("NaN literal", good.replace(b'"biases": [0.0', b'"biases": [NaN', 1), "not standard JSON"),
        ("duplicate key", b'{"version": 1, "version": 1}', "the key 'version' appears twice"),
        ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("a 5000-digit number", b'{"version": 1' + b"0" * 5000 + b"}", "corrupted: Exceeds"),
        ("another format", b'{"format": "keras", "version": 1, "kind": "model"}', "field 'format'"),
    ]


@pytest.mark.parametrize(
    "name, content, message", corrupt_texts(), ids=[c[0] for c in corrupt_texts()]
)
def test_truncated_or_corrupted_files_raise_value_error_naming_the_file(
    tmp_path, name, content, message
):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message) as caught:
        load_model(path)
    assert str(path) in str(caught.value)
    target = example_model()
    before = bits(target)
    with pytest.raises(CheckpointError):
        load_into(target, path)
    assert bits(target) == before


def test_missing_files_and_folders_raise_os_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nowhere.json")
    with pytest.raises(IsADirectoryError):
        load_model(tmp_path)
    with pytest.raises(FileNotFoundError):
        save_model(example_model(), tmp_path / "no" / "such" / "folder.json")


@pytest.mark.parametrize(
    "call",
    [
        lambda p: save_model("not a model", p),
        lambda p: save_model(example_model(), 42),
        lambda p: load_model(None),
        lambda p: load_into(object(), p),
    ],
)
def test_wrong_types_raise_type_error(tmp_path, call):
    example_model().save(tmp_path / "m.json")
    with pytest.raises(TypeError):
        call(tmp_path / "m.json")


# ----- atomic writes ------------------------------------------------------------------------


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def half_write_then_fail(fd, data):
    """os.write that stores half of the bytes and then fails, as on a full disk."""
    os.write.__wrapped__(fd, bytes(data)[: len(data) // 2])
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("failing", ["write", "fsync", "replace", "interrupt"])
def test_a_crash_mid_write_leaves_the_old_file_intact_and_no_litter(tmp_path, monkeypatch, failing):
    path = tmp_path / "model.json"
    old = example_model(seed=1)
    old.save(path)
    old_bytes = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt if failing == "interrupt" else OSError("simulated crash")

    if failing == "write":
        real_write = os.write
        half_write_then_fail.__wrapped__ = real_write
        monkeypatch.setattr(atomic_file.os, "write", half_write_then_fail)
    else:
        monkeypatch.setattr(atomic_file.os, "fsync" if failing == "fsync" else "replace", crash)
    with pytest.raises((OSError, KeyboardInterrupt)):
        example_model(seed=2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert files_in(tmp_path) == ["model.json"]
    assert bits(MLP.load(path)) == bits(old)


def test_a_model_that_cannot_be_written_does_not_touch_the_old_file(tmp_path):
    path = tmp_path / "model.json"
    example_model(seed=1).save(path)
    old_bytes = path.read_bytes()
    broken = example_model(seed=2)
    broken.parameters()[-1].data = "not a float"  # fails while encoding, before any write
    with pytest.raises(TypeError):
        broken.save(path)
    assert path.read_bytes() == old_bytes
    assert files_in(tmp_path) == ["model.json"]


def test_a_process_killed_between_write_and_rename_leaves_the_old_file(tmp_path):
    """A real crash: the child process dies (no cleanup, no exception handlers) after the
    new file is fully written but before it replaces the old one."""
    path = tmp_path / "model.json"
    example_model(seed=1).save(path)
    old_bytes = path.read_bytes()
    script = (
        "import os, sys\n"
        "from tinygrad_edu import MLP\nfrom tinygrad_edu.files import atomic as atomic_file\n"
        "atomic_file.os.replace = lambda *a: os._exit(9)\n"
        "MLP(3, [4, 2], 'tanh', 'sigmoid', seed=2).save(sys.argv[1])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, timeout=120
    )
    assert result.returncode == 9
    assert path.read_bytes() == old_bytes
    leftovers = [name for name in files_in(tmp_path) if name != "model.json"]
    # the dead process's temporary file stays behind, hidden and clearly named
    assert all(name.startswith(".model.json.") and name.endswith(".tmp") for name in leftovers)
    assert bits(MLP.load(path)) == bits(example_model(seed=1))


def test_saving_over_an_existing_file_replaces_it_and_keeps_normal_permissions(tmp_path):
    path = tmp_path / "model.json"
    example_model(seed=1).save(path)
    example_model(seed=2).save(path)
    assert bits(MLP.load(path)) == bits(example_model(seed=2))
    if os.name == "posix":
        umask = os.umask(0)
        os.umask(umask)
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
