"""What ``train()`` refuses before the first step (an optimiser of another model, ``lr`` next to
an optimiser, a checkpoint file it could not write), what a diverging run says, and the
learning-rate schedule, resumed bit for bit."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tinygrad_edu import MLP, SGD, Adam, train

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [0, 1, 1, 0]
SCHEDULE = {1: 0.9, 2: 0.5, 3: 0.2, 4: 0.1}


def bits(values) -> list[bytes]:
    return [struct.pack("<d", v) for v in values]


def quiet(**settings) -> dict:
    return {"epochs": 3, "print_every": 0, **settings}


# ----- the optimiser --------------------------------------------------------------------


def test_an_optimiser_of_a_model_built_again_is_refused_before_any_step():
    """The notebook re-run: the optimiser holds the first model's parameters."""
    first = MLP(2, [3, 1], seed=0)
    optimizer = SGD(first.parameters(), lr=1.0)
    model = MLP(2, [3, 1], seed=1)
    before = bits(p.data for p in model.parameters())
    with pytest.raises(ValueError, match="updates none of this model's parameters") as caught:
        train(model, X, Y, optimizer=optimizer, **quiet())
    assert r"SGD(model.parameters(), ...)" in str(caught.value)
    assert bits(p.data for p in model.parameters()) == before


def test_an_optimiser_of_part_of_the_model_or_of_more_is_refused():
    model = MLP(2, [3, 1], seed=0)
    other = MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match="updates 3 of this model's 13 parameters and 0 others"):
        train(model, X, Y, optimizer=SGD(model.parameters()[:3], lr=0.5), **quiet())
    both = model.parameters() + other.parameters()
    with pytest.raises(ValueError, match="13 of this model's 13 parameters and 13 others"):
        train(model, X, Y, optimizer=SGD(both, lr=0.5), **quiet())
    reordered = SGD(model.parameters()[::-1], lr=0.5)  # exactly the model's: accepted
    assert len(train(model, X, Y, optimizer=reordered, **quiet()).loss) == 3


@pytest.mark.parametrize("lr", [5.0, 0.1, 0.5])
def test_lr_next_to_an_optimiser_is_refused_rather_than_ignored(lr):
    model = MLP(2, [3, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.5)
    with pytest.raises(ValueError, match=rf"lr={lr} was given with an optimizer.*lr=0\.5"):
        train(model, X, Y, optimizer=optimizer, lr=lr, **quiet())


def test_lr_alone_still_makes_the_default_sgd():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=0)
    train(a, X, Y, **quiet())  # the default learning rate, 0.1
    train(b, X, Y, optimizer=SGD(b.parameters(), lr=0.1), **quiet())
    assert bits(p.data for p in a.parameters()) == bits(p.data for p in b.parameters())


# ----- a run that diverges --------------------------------------------------------------


def regression() -> tuple[MLP, list[list[float]], list[list[float]]]:
    model = MLP(1, [4, 1], output_activation="linear", seed=0)
    xs = [[0.1 * i] for i in range(10)]
    return model, xs, [[x[0] ** 2] for x in xs]


def test_a_diverging_run_says_epoch_batch_and_that_the_learning_rate_is_the_likely_cause():
    model, xs, ys = regression()
    with pytest.raises(OverflowError) as caught:  # the op's own error class is kept
        train(model, xs, ys, lr=1e150, batch_size=4, **quiet())
    message = str(caught.value)
    assert message.startswith("epoch 1, batch ")
    assert " of 3 (examples " in message  # ten examples in batches of four
    assert "overflows a float" in message  # the op's own message is kept
    assert "the learning rate (lr=1e+150) is likely too large" in message


def test_a_step_that_fails_before_any_update_does_not_blame_the_learning_rate():
    model = MLP(1, [1], activation="linear", output_activation="linear", seed=0)
    model.parameter("W1[0,0]").data = 1e300
    with pytest.raises(OverflowError) as caught:
        train(model, [[1e10]], [[0.0]], lr=0.1, **quiet())
    message = str(caught.value)
    assert message.startswith("epoch 1, batch 1 of 1 (example 0): ")
    assert "learning rate" not in message


# ----- the learning-rate schedule -------------------------------------------------------


def test_a_schedule_sets_each_epochs_rate_as_separate_runs_would():
    scheduled = MLP(2, [3, 1], seed=2)
    optimizer = SGD(scheduled.parameters(), lr=1.0)
    history = train(
        scheduled,
        X,
        Y,
        optimizer=optimizer,
        lr_schedule=SCHEDULE.__getitem__,
        shuffle=False,
        **quiet(epochs=4),
    )
    by_hand = MLP(2, [3, 1], seed=2)
    losses = []
    for epoch in range(1, 5):  # full batch: one step per epoch, in the same order
        losses += train(by_hand, X, Y, lr=SCHEDULE[epoch], shuffle=False, **quiet(epochs=1)).loss
    assert history.loss == losses
    assert bits(p.data for p in scheduled.parameters()) == bits(
        p.data for p in by_hand.parameters()
    )
    assert optimizer.lr == 1.0  # the schedule sets it during the steps only


def test_the_schedule_is_read_for_every_epoch_before_the_first_step():
    model = MLP(2, [3, 1], seed=0)
    before = bits(p.data for p in model.parameters())
    with pytest.raises(ValueError, match=r"lr_schedule\(3\) must be a positive finite number"):
        train(model, X, Y, lr_schedule=lambda epoch: 0.5 if epoch < 3 else -0.1, **quiet())
    with pytest.raises(TypeError, match="lr_schedule must be a function of the epoch"):
        train(model, X, Y, lr_schedule=0.5, **quiet())
    assert bits(p.data for p in model.parameters()) == before


def test_a_scheduled_run_resumes_bit_for_bit(tmp_path):
    def decay(epoch: int) -> float:
        return 1.0 / epoch

    def run(**settings) -> MLP:
        model = MLP(2, [4, 1], seed=5)
        train(
            model,
            X,
            Y,
            optimizer=Adam(model.parameters(), lr=0.05),
            lr_schedule=decay,
            batch_size=2,
            print_every=0,
            **settings,
        )
        return model

    whole = run(epochs=6)
    path = tmp_path / "run.json"
    run(epochs=3, checkpoint_every=3, checkpoint_path=path)
    resumed = run(epochs=6, resume_from=path)
    assert bits(p.data for p in resumed.parameters()) == bits(p.data for p in whole.parameters())


# ----- the checkpoint file --------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_checkpoint_folder_that_refuses_files_is_refused_before_the_first_epoch():
    model = MLP(2, [3, 1], seed=0)
    before = bits(p.data for p in model.parameters())
    with pytest.raises(OSError, match=r"cannot write '/proc/run\.json'") as caught:
        train(model, X, Y, checkpoint_every=1, checkpoint_path="/proc/run.json", **quiet())
    assert ".tmp" not in str(caught.value)  # the path the user gave, not the temporary file
    assert bits(p.data for p in model.parameters()) == before


def test_nothing_is_left_in_the_checkpoint_folder_but_the_checkpoint(tmp_path):
    train(MLP(2, [3, 1], seed=0), X, Y, checkpoint_every=1, checkpoint_path=tmp_path / "r.json",
          **quiet())  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # the probe file is gone
