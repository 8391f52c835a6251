"""The bundled 8×8 digits, the stratified split and ``tinygrad-edu train digits``."""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter
from contextlib import redirect_stdout
from importlib import resources

import pytest

from tinygrad_edu.cli import main
from tinygrad_edu.datasets import load_digits, one_hot, stratified_split, take

CLASS_COUNTS = {0: 178, 1: 182, 2: 177, 3: 183, 4: 181, 5: 182, 6: 181, 7: 179, 8: 174, 9: 180}


def test_the_bundled_digits_are_1797_scaled_images_of_all_ten_classes():
    X, y = load_digits()
    assert len(X) == len(y) == 1797
    assert all(len(x) == 64 for x in X)
    assert Counter(y) == CLASS_COUNTS
    pixels = {p for x in X for p in x}
    assert min(pixels) == 0.0 and max(pixels) == 1.0
    assert pixels <= {k / 16 for k in range(17)}


def test_unscaled_digits_keep_the_integer_intensities():
    X, y = load_digits(scaled=False)
    assert X[0][:8] == [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]  # the first row of a zero
    assert y[0] == 0
    assert max(max(x) for x in X) == 16.0


def test_the_licence_and_attribution_ship_next_to_the_data():
    text = resources.files("tinygrad_edu.datasets").joinpath("DIGITS_LICENSE.md").read_text()
    assert "CC BY 4.0" in text and "Alpaydin" in text and "Kaynak" in text
    assert "creativecommons.org/licenses/by/4.0" in text


def _write(tmp_path, rows, compress=False):
    path = tmp_path / ("digits.csv.gz" if compress else "digits.csv")
    text = "\n".join(",".join(map(str, row)) for row in rows) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    return path


def test_a_csv_of_the_same_layout_loads_gzipped_or_not(tmp_path):
    rows = [[16] * 64 + [3], [0] * 64 + [9]]
    for compress in (False, True):
        X, y = load_digits(_write(tmp_path, rows, compress))
        assert y == [3, 9]
        assert X == [[1.0] * 64, [0.0] * 64]


@pytest.mark.parametrize(
    "row, message",
    [
        ([1] * 64, r"line 2: expected 65 comma-separated integers \(64 pixels, then the label\)"),
        ([1] * 10 + ["x"] + [1] * 54, r"line 2, column 11 \(pixel 11\): expected an integer"),
        ([1] * 63 + [17, 0], r"line 2, column 64 \(pixel 64\): expected 0..16, got 17"),
        ([1] * 64 + [10], r"line 2, column 65 \(the label\): expected 0..9, got 10"),
    ],
)
def test_a_bad_row_is_reported_by_file_line_and_field(tmp_path, row, message):
    path = _write(tmp_path, [[0] * 65, row])
    with pytest.raises(ValueError, match=re.escape(str(path)) + ", " + message):
        load_digits(path)


def test_a_truncated_gzip_file_is_reported_by_name(tmp_path):
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(b"0," * 64 + b"1\n")[:-8])
    with pytest.raises(ValueError, match="cut.csv.gz: truncated or corrupt gzip data"):
        load_digits(path)


def test_the_split_is_stratified_disjoint_complete_and_seeded():
    _, y = load_digits()
    train, test = stratified_split(y, test_fraction=0.2, seed=0)
    assert sorted(train + test) == list(range(len(y)))
    assert train == sorted(train) and test == sorted(test)
    test_counts = Counter(take(y, test))
    assert test_counts == {c: round(0.2 * n) for c, n in CLASS_COUNTS.items()}
    assert stratified_split(y, 0.2, seed=0) == (train, test)
    assert stratified_split(y, 0.2, seed=1) != (train, test)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, 2])
def test_a_test_fraction_outside_0_to_1_is_refused(fraction):
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        stratified_split([0, 1, 0, 1], test_fraction=fraction)


def test_one_hot_targets():
    assert one_hot(2) == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="label 10 is not in 0..9"):
        one_hot(10)


@pytest.fixture(scope="module")
def default_run():
    """The full default run, once for the module: (exit status, what it printed)."""
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["train", "digits"])
    return status, out.getvalue()


@pytest.mark.slow
def test_train_digits_with_no_flags_reaches_95_percent_and_reports_each_epoch(default_run):
    """Document 004's claim, on the bundled digits, with the command's defaults."""
    status, out = default_run
    assert status == 0
    lines = out.strip().splitlines()
    epochs = [line for line in lines if line.startswith("epoch")]
    assert len(epochs) == 15
    progress = r"loss \d\.\d{4}  train accuracy 0\.\d{3}  test accuracy 0\.\d{3}  \(\d+\.\d s\)"
    assert all(re.search(progress, line) for line in epochs)
    final = re.fullmatch(r"test accuracy: (0\.\d{3})", lines[-1])
    assert final, lines[-1]
    assert float(final.group(1)) >= 0.95
    assert "a 64-30-10 sigmoid MLP" in out


def test_train_digits_refuses_mnist_only_flags(capsys):
    assert main(["train", "digits", "--limit", "5"]) == 2
    assert capsys.readouterr().err.strip() == (
        "tinygrad-edu train digits: --data and --limit are for mnist only"
    )


def test_train_refuses_a_non_positive_epoch_count(capsys):
    assert main(["train", "digits", "--epochs", "0"]) == 2
    assert "--epochs must be at least 1, got 0" in capsys.readouterr().err
