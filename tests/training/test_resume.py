"""Training checkpoints: a run interrupted and resumed ends bit for bit where an
uninterrupted run with the same seed ends, and a checkpoint that does not fit the run raises
before anything changes."""

from __future__ import annotations

import io
import json
import struct

import pytest

from tinygrad_edu import MLP, SGD, Adam, CheckpointError, train
from tinygrad_edu.files import atomic as atomic_file
from tinygrad_edu.nn import Optimizer

X = [[0.1, 0.9], [0.8, 0.2], [0.4, 0.4], [0.9, 0.7], [0.2, 0.3], [0.6, 0.1], [0.3, 0.8]]
LABELS = [0, 1, 2, 1, 0, 2, 0]
X_VAL = [[0.5, 0.5], [0.1, 0.1]]
LABELS_VAL = [1, 0]
EPOCHS = 6


class SimulatedCrashError(Exception):
    """Stands for a crash, a Ctrl-C or a closed laptop after some epoch."""


def new_model(seed: int = 0) -> MLP:
    return MLP(2, [4, 3], activation="tanh", output_activation="linear", seed=seed)


class HeavyBall(Optimizer):
    """An optimiser of a user's own: it declares its hyperparameters and its state, so a
    checkpoint saves, checks and restores them like SGD's and Adam's."""

    hyperparameters = ("lr", "weight_decay", "beta")
    state_names = ("steps", "average")

    def __init__(self, params, lr: float, beta: float = 0.5) -> None:
        super().__init__(params, lr)
        self.beta = beta
        self.steps = 0
        self.average = [0.0] * len(self.params)

    def step(self) -> None:
        self.steps += 1
        for k, p in enumerate(self.params):
            self.average[k] = self.beta * self.average[k] + p.grad
            p.data -= self.lr * self.average[k]


OPTIMIZERS = {
    "sgd": lambda params: SGD(params, lr=0.3),
    "momentum": lambda params: SGD(params, lr=0.2, momentum=0.9),
    "adam": lambda params: Adam(params, lr=0.05),
    "own": lambda params: HeavyBall(params, lr=0.2),
}


def settings(**overrides) -> dict:
    kwargs = {"loss": "softmax_ce", "epochs": EPOCHS, "print_every": 0, "seed": 11}
    kwargs.update(overrides)
    return kwargs


def bits(values) -> list[bytes]:
    return [struct.pack("<d", v) for v in values]


def snapshot(model: MLP, optimizer: Optimizer) -> tuple:
    state = {k: v for k, v in vars(optimizer).items() if k != "params"}
    return bits(p.data for p in model.parameters()), json.dumps(state, sort_keys=True)


def run_uninterrupted(optimizer: str, **overrides):
    model = new_model()
    opt = OPTIMIZERS[optimizer](model.parameters())
    history = train(model, X, LABELS, optimizer=opt, **settings(**overrides))
    return model, opt, history


def run_interrupted(tmp_path, optimizer: str, stop_after: int, every: int, **overrides):
    """Train until an interruption after epoch ``stop_after``, then resume a fresh model
    (initialised differently) from the last checkpoint."""
    path = tmp_path / "run.json"
    model = new_model()

    def interrupt(end) -> None:
        if end.epoch == stop_after:
            raise SimulatedCrashError

    with pytest.raises(SimulatedCrashError):
        train(
            model,
            X,
            LABELS,
            optimizer=OPTIMIZERS[optimizer](model.parameters()),
            checkpoint_every=every,
            checkpoint_path=path,
            callback=interrupt,
            **settings(**overrides),
        )
    resumed = new_model(seed=12345)
    opt = OPTIMIZERS[optimizer](resumed.parameters())
    history = train(
        resumed,
        X,
        LABELS,
        optimizer=opt,
        resume_from=path,
        checkpoint_every=every,
        checkpoint_path=path,
        **settings(**overrides),
    )
    return resumed, opt, history


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"batch_size": 2},
        {"batch_size": 1, "reduction": "sum"},
        {"shuffle": False, "batch_size": 3},
        {"validation": (X_VAL, LABELS_VAL), "batch_size": 2},
    ],
    ids=["full-batch", "mini-batch", "single-sum", "no-shuffle", "validation"],
)
@pytest.mark.parametrize("stop_after, every", [(1, 1), (3, 2), (5, 5)])
def test_resuming_gives_bit_for_bit_the_uninterrupted_run(
    tmp_path, optimizer, overrides, stop_after, every
):
    model_a, opt_a, history_a = run_uninterrupted(optimizer, **overrides)
    model_b, opt_b, history_b = run_interrupted(tmp_path, optimizer, stop_after, every, **overrides)
    assert snapshot(model_b, opt_b) == snapshot(model_a, opt_a)
    assert history_b == history_a
    assert bits(history_b.loss) == bits(history_a.loss)


def test_a_run_resumed_twice_is_still_the_same_run(tmp_path):
    model_a, opt_a, history_a = run_uninterrupted("adam", batch_size=2)
    path = tmp_path / "run.json"
    stops = iter([2, 4])
    stop = next(stops)

    def interrupt(end) -> None:
        if end.epoch == stop:
            raise SimulatedCrashError

    resume_from = None
    crashes = 0
    for seed in (0, 1, 2):
        model = new_model(seed)
        opt = OPTIMIZERS["adam"](model.parameters())
        try:
            history = train(
                model,
                X,
                LABELS,
                optimizer=opt,
                batch_size=2,
                resume_from=resume_from,
                checkpoint_every=1,
                checkpoint_path=path,
                callback=interrupt,
                **settings(),
            )
        except SimulatedCrashError:
            crashes += 1
            resume_from = path
            stop = next(stops, None)
    assert crashes == 2  # both interruptions happened, and the third run finished
    assert snapshot(model, opt) == snapshot(model_a, opt_a)
    assert history == history_a


def test_checkpoints_are_written_every_n_epochs_and_after_the_last(tmp_path):
    path = tmp_path / "run.json"
    seen = []

    def record(end) -> None:
        seen.append(json.loads(path.read_text())["epoch"] if path.exists() else None)

    model = new_model()
    train(
        model,
        X,
        LABELS,
        checkpoint_every=3,
        checkpoint_path=path,
        callback=record,
        **settings(epochs=7),
    )
    assert seen == [None, None, 3, 3, 3, 6, 7]


def test_the_checkpoint_holds_model_optimiser_epoch_order_random_state_and_history(tmp_path):
    path = tmp_path / "run.json"
    model = new_model()
    opt = Adam(model.parameters(), lr=0.05)
    history = train(
        model,
        X,
        LABELS,
        optimizer=opt,
        batch_size=2,
        checkpoint_every=2,
        checkpoint_path=path,
        **settings(epochs=4),
    )
    document = json.loads(path.read_text())
    assert document["kind"] == "training" and document["epoch"] == 4
    assert document["optimizer"]["type"] == "Adam" and document["optimizer"]["t"] == opt.t
    assert document["optimizer"]["m"] == opt.m and document["optimizer"]["v"] == opt.v
    assert document["history"]["loss"] == history.loss
    assert sorted(document["order"]) == list(range(len(X)))
    assert len(document["rng_state"]["internal"]) == 625
    assert document["run"]["loss"] == "softmax_ce" and document["run"]["batch_size"] == 2
    assert bits(p.data for p in MLP.load(path).parameters()) == bits(
        p.data for p in model.parameters()
    )


def test_a_resumed_run_prints_the_epochs_it_trains(tmp_path):
    path = tmp_path / "run.json"
    train(new_model(), X, LABELS, checkpoint_every=2, checkpoint_path=path, **settings(epochs=2))
    out = io.StringIO()
    train(new_model(), X, LABELS, resume_from=path, file=out, **settings(epochs=4, print_every=1))
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["3/4", "4/4"]


def test_resuming_a_finished_run_trains_nothing_and_returns_its_history(tmp_path):
    path = tmp_path / "run.json"
    model_a = new_model()
    history_a = train(model_a, X, LABELS, checkpoint_every=3, checkpoint_path=path, **settings())
    model_b = new_model(seed=9)
    assert train(model_b, X, LABELS, resume_from=path, **settings()) == history_a
    assert bits(p.data for p in model_b.parameters()) == bits(p.data for p in model_a.parameters())


# ----- a crash while saving a checkpoint -------------------------------------------------------


def test_a_crash_while_saving_keeps_the_previous_checkpoint_which_still_resumes_exactly(
    tmp_path, monkeypatch
):
    path = tmp_path / "run.json"
    real_replace = atomic_file.os.replace
    calls = []

    def replace_then_crash(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the checkpoint of epoch 4 dies before its rename
            raise OSError("simulated power cut")
        real_replace(src, dst)

    monkeypatch.setattr(atomic_file.os, "replace", replace_then_crash)
    with pytest.raises(OSError, match="power cut"):
        train(
            new_model(), X, LABELS, lr=0.3, checkpoint_every=2, checkpoint_path=path, **settings()
        )
    monkeypatch.undo()
    assert json.loads(path.read_text())["epoch"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
    model_a, opt_a, history_a = run_uninterrupted("sgd")
    model_b = new_model(seed=4)
    opt_b = OPTIMIZERS["sgd"](model_b.parameters())
    history_b = train(model_b, X, LABELS, optimizer=opt_b, resume_from=path, **settings())
    assert snapshot(model_b, opt_b) == snapshot(model_a, opt_a) and history_b == history_a


# ----- checkpoints that do not fit the run: ValueError, nothing changed ------------------------


@pytest.fixture
def saved_run(tmp_path):
    path = tmp_path / "run.json"
    model = new_model()
    train(
        model,
        X,
        LABELS,
        optimizer=SGD(model.parameters(), lr=0.3),
        checkpoint_every=2,
        checkpoint_path=path,
        **settings(epochs=4),
    )
    return path


MISMATCHES = [
    ("data", {"X": [*X[:-1], [0.3, 0.81]]}, "run.data_sha256"),
    ("fewer examples", {"X": X[:-1], "Y": LABELS[:-1]}, "run.examples"),
    ("loss", {"loss": "mse", "Y": [[1.0, 0.0, 0.0]] * len(X)}, "run.data_sha256"),
    ("batch size", {"batch_size": 2}, "run.batch_size"),
    ("seed", {"seed": 12}, "run.seed"),
    ("shuffle", {"shuffle": False}, "run.shuffle"),
    ("reduction", {"reduction": "sum"}, "run.reduction"),
    ("validation", {"validation": (X_VAL, LABELS_VAL)}, "run.validation_sha256"),
    ("learning rate", {"optimizer": lambda ps: SGD(ps, lr=0.2)}, "optimizer.lr"),
    ("momentum", {"optimizer": lambda ps: SGD(ps, lr=0.3, momentum=0.5)}, "optimizer.momentum"),
    ("optimiser type", {"optimizer": lambda ps: Adam(ps, lr=0.3)}, "optimizer.type"),
    ("parameter order", {"optimizer": lambda ps: SGD(ps[::-1], lr=0.3)}, "optimizer.parameters"),
    ("architecture", {"model": MLP(2, [5, 3], "tanh", "linear")}, "model.architecture.sizes"),
    ("activation", {"model": MLP(2, [4, 3], "relu", "linear")}, "model.architecture.activation"),
]


@pytest.mark.parametrize(
    "change, field", [m[1:] for m in MISMATCHES], ids=[m[0] for m in MISMATCHES]
)
def test_a_checkpoint_from_another_run_names_the_field_and_changes_nothing(
    saved_run, change, field
):
    change = dict(change)
    model = change.pop("model", None) or new_model(seed=3)
    make_optimizer = change.pop("optimizer", lambda ps: SGD(ps, lr=0.3))
    optimizer = make_optimizer(model.parameters())
    data = {"X": change.pop("X", X), "Y": change.pop("Y", LABELS)}
    before = snapshot(model, optimizer)
    with pytest.raises(CheckpointError, match=rf"run\.json: field '{field}'"):
        train(
            model,
            data["X"],
            data["Y"],
            optimizer=optimizer,
            resume_from=saved_run,
            **settings(**change),
        )
    assert snapshot(model, optimizer) == before


def test_resuming_past_the_requested_epochs_is_a_value_error(saved_run):
    model = new_model(seed=3)
    before = bits(p.data for p in model.parameters())
    with pytest.raises(ValueError, match="checkpoint is at epoch 4, past epochs=3"):
        train(model, X, LABELS, lr=0.3, resume_from=saved_run, **settings(epochs=3))
    assert bits(p.data for p in model.parameters()) == before


def test_a_model_file_is_not_a_training_checkpoint(tmp_path):
    new_model().save(tmp_path / "model.json")
    with pytest.raises(CheckpointError, match="field 'kind': this is a model file"):
        train(new_model(), X, LABELS, resume_from=tmp_path / "model.json", **settings())


@pytest.mark.parametrize(
    "field, value",
    [
        (("epoch",), -1),
        (("order",), [0, 0, 1, 2, 3, 4, 5]),
        (("order",), [0, 1]),
        (("rng_state", "internal"), [1, 2, 3]),
        (("rng_state", "internal", 624), 10_000),
        (("rng_state", "version"), 99),
        (("history", "loss"), [0.5]),
        (("history", "accuracy", 0), "high"),
        (("optimizer", "velocity"), [0.0]),
        (("run",), {"examples": 7}),
        (("run", "examples"), 0),
    ],
)
def test_a_corrupted_training_checkpoint_names_the_field_and_changes_nothing(
    saved_run, field, value
):
    document = json.loads(saved_run.read_text())
    target = document
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = value
    saved_run.write_text(json.dumps(document))
    model = new_model(seed=3)
    optimizer = SGD(model.parameters(), lr=0.3)
    before = snapshot(model, optimizer)
    with pytest.raises(CheckpointError, match=rf"run\.json: field '{field[0]}"):
        train(model, X, LABELS, optimizer=optimizer, resume_from=saved_run, **settings())
    assert snapshot(model, optimizer) == before


def test_a_truncated_training_checkpoint_is_a_value_error(saved_run):
    text = saved_run.read_text()
    saved_run.write_text(text[: len(text) // 3])
    with pytest.raises(ValueError, match="not complete JSON"):
        train(new_model(), X, LABELS, resume_from=saved_run, **settings())


class StepLess(Optimizer):
    """Forgot to write step(): there is nothing to run, or to checkpoint."""


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"checkpoint_every": 2}, ValueError, "needs checkpoint_path"),
        ({"checkpoint_path": "run.json"}, ValueError, "checkpoint_every is None"),
        ({"checkpoint_every": 0, "checkpoint_path": "run.json"}, ValueError, "positive"),
        ({"checkpoint_every": 1.5, "checkpoint_path": "run.json"}, TypeError, "positive int"),
        ({"checkpoint_every": 1, "checkpoint_path": 7}, TypeError, "file path"),
        ({"resume_from": ["run.json"]}, TypeError, "file path"),
        (
            {"checkpoint_every": 1, "checkpoint_path": "no/such/folder/run.json"},
            FileNotFoundError,
            "no folder",
        ),
        ({"checkpoint_every": 1, "checkpoint_path": "."}, IsADirectoryError, "is a folder"),
        ({"resume_from": "missing.json"}, FileNotFoundError, "missing.json"),
        (
            {"checkpoint_every": 1, "checkpoint_path": "run.json", "optimizer": "custom"},
            TypeError,
            "an Optimizer's state",
        ),
        (
            {"checkpoint_every": 1, "checkpoint_path": "run.json", "optimizer": "foreign"},
            ValueError,
            "made for another model",
        ),
    ],
)
def test_bad_checkpoint_arguments_raise_before_any_change(
    tmp_path, monkeypatch, kwargs, error, message
):
    monkeypatch.chdir(tmp_path)
    model = new_model()
    if kwargs.get("optimizer") == "custom":
        kwargs["optimizer"] = StepLess(model.parameters(), lr=0.1)
    elif kwargs.get("optimizer") == "foreign":
        kwargs["optimizer"] = SGD(new_model().parameters(), lr=0.1)
    before = bits(p.data for p in model.parameters())
    with pytest.raises(error, match=message):
        train(model, X, LABELS, **settings(), **kwargs)
    assert bits(p.data for p in model.parameters()) == before
    assert list(tmp_path.iterdir()) == []
