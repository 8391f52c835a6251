"""The training loop on the documents' data."""

from __future__ import annotations

import io

import pytest

from tinygrad_edu import MLP, SGD, predict, train
from tinygrad_edu.datasets import square_function, xor_table
from tinygrad_edu.training import evaluate


def test_document_004_table_gets_every_row_right():
    """3-4-1 sigmoid, ΔL = Σ(y − ŷ)², full batch, η = 1, 1500 epochs."""
    X, Y = xor_table()
    model = MLP(3, [4, 1], seed=0)
    history = train(model, X, Y, loss="sse", lr=1.0, epochs=1500, reduction="sum", print_every=0)
    predictions = [p[0] for p in predict(model, X)]
    assert [round(p) for p in predictions] == [0, 1, 1, 0]
    assert all(abs(p - y) < 0.1 for p, y in zip(predictions, Y, strict=True))
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < 0.01 < history.loss[0]


def test_square_function_fit_reaches_a_small_error():
    """Document 002's f(x) = x² on [−1, 1]: 1-10-1, sigmoid hidden, linear output."""
    X, Y = square_function(21)
    model = MLP(1, [10, 1], output_activation="linear", seed=0)
    optimizer = SGD(model.parameters(), lr=0.5, momentum=0.9)
    history = train(model, X, Y, loss="mse", optimizer=optimizer, epochs=1000, print_every=0)
    mse, accuracy = evaluate(model, X, Y, loss="mse")
    assert accuracy is None  # regression: no accuracy
    assert history.accuracy[-1] is None
    assert mse < 1e-3
    assert max(abs(p[0] - y) for p, y in zip(predict(model, X), Y, strict=True)) < 0.05


def test_same_seed_same_run_and_shuffling_changes_it():
    X, Y = xor_table()

    def run(seed, shuffle=True):
        model = MLP(3, [3, 1], seed=1)
        train(
            model,
            X,
            Y,
            loss="mse",
            lr=0.5,
            epochs=30,
            batch_size=1,
            seed=seed,
            shuffle=shuffle,
            print_every=0,
        )
        return [p.data for p in model.parameters()]

    assert run(3) == run(3)
    assert run(3) != run(4)
    assert run(3, shuffle=False) == run(4, shuffle=False)


def test_mini_batches_take_one_step_each():
    X, Y = xor_table()
    model = MLP(3, [2, 1], seed=0)
    steps = []

    class CountingSGD(SGD):
        def step(self):
            steps.append(1)
            super().step()

    train(
        model,
        X,
        Y,
        optimizer=CountingSGD(model.parameters(), lr=0.1),
        epochs=5,
        batch_size=3,
        print_every=0,
    )
    assert len(steps) == 5 * 2  # 4 examples in batches of 3 → 2 steps per epoch


def test_progress_lines_and_callback():
    X, Y = xor_table()
    out = io.StringIO()
    seen = []
    history = train(
        MLP(3, [2, 1], seed=0),
        X,
        Y,
        epochs=20,
        print_every=5,
        file=out,
        callback=lambda end: seen.append((end.epoch, end.loss)),
    )
    lines = out.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["1/20", "5/20", "10/20", "15/20", "20/20"]
    assert "loss" in lines[0] and "accuracy" in lines[0]
    assert [e for e, _ in seen] == list(range(1, 21))
    assert [loss for _, loss in seen] == history.loss


def test_validation_is_recorded_each_epoch():
    X, Y = xor_table()
    history = train(MLP(3, [2, 1], seed=0), X, Y, epochs=3, validation=(X, Y), print_every=0)
    assert len(history.val_loss) == len(history.val_accuracy) == history.epochs == 3


def test_softmax_labels_train_with_argmax_accuracy():
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    labels = [0, 1, 2, 0]
    model = MLP(2, [6, 3], activation="tanh", output_activation="linear", seed=0)
    history = train(model, X, labels, loss="softmax_ce", lr=0.5, epochs=300, print_every=0)
    assert history.accuracy[-1] == 1.0


@pytest.mark.parametrize(
    "X, Y, error, message",
    [
        ([], [], ValueError, "empty"),
        ([[1.0, 2.0, 3.0]], [1.0, 0.0], ValueError, "1 examples but the targets have 2"),
        ([[1.0, 2.0]], [1.0], ValueError, r"X\[0\] has 2 values, but the model expects 3"),
        ([[1.0, 2.0, "a"]], [1.0], TypeError, r"X\[0\]\[2\] must be a number"),
        ([[1.0, 2.0, 3.0]], [[1.0, 0.0]], ValueError, "target 0 has 2 values"),
    ],
)
def test_bad_datasets_are_rejected_before_any_change(X, Y, error, message):
    model = MLP(3, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(error, match=message):
        train(model, X, Y, epochs=2, print_every=0)
    assert [p.data for p in model.parameters()] == before
