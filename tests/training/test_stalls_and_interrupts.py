"""Training that does nothing warns and says why; progress inside an epoch; Ctrl-C says
where it stopped and what the checkpoint holds."""

from __future__ import annotations

import warnings

import pytest

from tinygrad_edu import MLP, train
from tinygrad_edu.training import Progress, TrainingStalledWarning

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [0.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_a_learning_rate_far_too_large_saturates_and_warns_naming_the_cause(activation):
    model = MLP(2, [4, 1], activation=activation, seed=0)
    with pytest.warns(TrainingStalledWarning) as caught:
        history = train(model, X, Y, lr=1e150, epochs=5, print_every=0)
    assert len(caught) == 1  # once a run
    message = str(caught[0].message)
    assert message.startswith("epoch 2 changed no parameter: every gradient was 0")
    assert "5 of the 5 units are saturated" in message and "lr=1e+150" in message
    assert len(set(history.loss[1:])) == 1  # the loss is flat: the run did nothing


def test_dead_relu_units_are_named():
    model = MLP(2, [3, 1], activation="relu", output_activation="relu", seed=0)
    for p in model.parameters():
        p.data = -1.0  # every unit's input is negative for these inputs: all dead
    with pytest.warns(TrainingStalledWarning, match="4 of the 4 units .*dead unit"):
        train(model, X, Y, lr=0.1, epochs=2, print_every=0)


def test_a_run_that_learns_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingStalledWarning)
        train(MLP(2, [4, 1], seed=0), X, Y, lr=0.5, epochs=20, print_every=0)


def test_progress_is_called_after_every_step_with_the_loss_so_far():
    seen: list[Progress] = []
    train(MLP(2, [3, 1], seed=0), X, Y, epochs=2, batch_size=3, print_every=0,
          shuffle=False, progress=seen.append)  # fmt: skip
    assert [(p.epoch, p.done, p.examples) for p in seen] == [
        (1, 3, 4),
        (1, 4, 4),
        (2, 3, 4),
        (2, 4, 4),
    ]
    assert all(p.loss > 0 for p in seen)


def test_progress_must_be_a_function():
    with pytest.raises(TypeError, match="progress must be a function"):
        train(MLP(2, [3, 1]), X, Y, epochs=1, progress="yes")


def test_ctrl_c_in_train_notes_the_epoch_and_the_checkpoint(tmp_path):
    path = tmp_path / "run.json"

    def stop(end):
        if end.epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as raised:
        train(MLP(2, [3, 1]), X, Y, epochs=9, print_every=0, callback=stop,
              checkpoint_every=2, checkpoint_path=path)  # fmt: skip
    (note,) = raised.value.__notes__
    assert note == (
        f"train() was interrupted in epoch 3; {str(path)!r} holds the run after epoch 2: "
        f"train(..., resume_from={str(path)!r}) continues it from there"
    )


def test_a_diverged_parameter_is_not_saved_over_the_last_good_checkpoint(tmp_path):
    path = tmp_path / "run.json"
    model = MLP(2, [3, 1], seed=1)

    def blow_up(step):  # after epoch 2's last step, as an update overflowing to inf would
        if step.epoch == 2:
            model.parameters()[0].data = float("inf")

    with pytest.raises(ValueError, match=r"the weight W1\[0,0\] is inf"):
        train(model, X, Y, epochs=2, print_every=0, progress=blow_up,
              checkpoint_every=1, checkpoint_path=path)  # fmt: skip
    assert MLP.load(path).parameters()[0].data != float("inf")  # epoch 1's file stays
