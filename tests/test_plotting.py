"""The plotting helpers draw the numbers they are given: checked on the figures' data, not
on pixels, with matplotlib's Agg backend."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tinygrad_edu import MLP, train
from tinygrad_edu.datasets import square_function, xor_table
from tinygrad_edu.training import History, predict

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

from tinygrad_edu import plotting  # noqa: E402  (after choosing the Agg backend)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def history(loss, accuracy=None, val_loss=(), val_accuracy=()):
    return History(
        loss=list(loss),
        accuracy=list(accuracy) if accuracy is not None else [None] * len(loss),
        val_loss=list(val_loss),
        val_accuracy=list(val_accuracy),
    )


def test_loss_curve_plots_each_epoch_from_one():
    ax = plotting.plot_loss(history([0.9, 0.5, 0.25]))
    (line,) = ax.lines
    assert list(line.get_xdata()) == [1, 2, 3]
    assert list(line.get_ydata()) == [0.9, 0.5, 0.25]
    assert ax.get_xlabel() == "epoch"
    assert ax.get_yscale() == "linear"
    ax.figure.canvas.draw()
    assert all(tick == int(tick) for tick in ax.get_xticks())  # whole epochs only


def test_loss_curve_adds_validation_and_log_scale():
    ax = plotting.plot_loss(history([0.9, 0.5], val_loss=[1.0, 0.7]), log=True)
    assert [list(line.get_ydata()) for line in ax.lines] == [[0.9, 0.5], [1.0, 0.7]]
    assert ax.get_yscale() == "log"


def test_loss_curve_from_a_plain_list():
    ax = plotting.plot_loss([0.3, 0.2])
    assert [list(line.get_ydata()) for line in ax.lines] == [[0.3, 0.2]]


def test_loss_curve_of_an_empty_history_is_an_error():
    with pytest.raises(ValueError, match="no epochs"):
        plotting.plot_loss(History())
    with pytest.raises(ValueError, match="no epochs"):
        plotting.plot_loss([])


def test_accuracy_curve_and_regression_refusal():
    ax = plotting.plot_accuracy(history([1, 1, 1], [0.5, 0.75, 1.0], val_accuracy=[0.25, 0.5, 0.5]))
    assert [list(line.get_ydata()) for line in ax.lines] == [[0.5, 0.75, 1.0], [0.25, 0.5, 0.5]]
    with pytest.raises(ValueError, match="no accuracy"):
        plotting.plot_accuracy(history([1.0, 0.5]))


def test_history_figure_has_one_panel_for_regression_and_two_for_classification():
    assert len(plotting.plot_history(history([1.0, 0.5])).axes) == 1
    fig = plotting.plot_history(history([1.0, 0.5], [0.5, 1.0]))
    loss_ax, accuracy_ax = fig.axes
    assert list(loss_ax.lines[0].get_ydata()) == [1.0, 0.5]
    assert list(accuracy_ax.lines[0].get_ydata()) == [0.5, 1.0]


def test_history_from_a_real_run():
    X, Y = xor_table()
    model = MLP(3, [4, 1], seed=0)
    run = train(model, X, Y, loss="sse", lr=1.0, epochs=5, print_every=0)
    fig = plotting.plot_history(run)
    assert list(fig.axes[0].lines[0].get_ydata()) == run.loss
    assert list(fig.axes[1].lines[0].get_ydata()) == run.accuracy


def test_fit_draws_target_then_model_then_points():
    X, Y = square_function(5)
    model = MLP.from_weights([[[2.0]], [[3.0]]], [[0.5], [-1.0]], output_activation="linear")
    ax = plotting.plot_fit(model, X, Y, target=lambda x: x * x, points=11)
    target_line, model_line = ax.lines
    xs = list(model_line.get_xdata())
    assert xs[0] == -1.0 and xs[-1] == 1.0 and len(xs) == 11
    assert list(target_line.get_ydata()) == pytest.approx([x * x for x in xs], abs=1e-15)
    assert list(model_line.get_ydata()) == [out[0] for out in predict(model, [[x] for x in xs])]
    (dots,) = ax.collections
    assert dots.get_offsets().tolist() == [[x[0], y] for x, y in zip(X, Y, strict=True)]


def test_fit_without_target_and_with_vector_targets():
    model = MLP.from_weights([[[1.0]]], output_activation="linear")
    ax = plotting.plot_fit(model, [[0.0], [2.0]], [[0.0], [2.0]], points=3)
    (line,) = ax.lines
    assert list(line.get_xdata()) == [0.0, 1.0, 2.0]
    assert list(line.get_ydata()) == [0.0, 1.0, 2.0]


def test_fit_refuses_a_model_with_two_inputs():
    with pytest.raises(ValueError, match="one input and one output"):
        plotting.plot_fit(MLP(2, [1], seed=0), [[0.0, 0.0]], [0.0])


def test_digit_grid_shows_each_image_and_colours_mistakes():
    images = [[float((k + p) % 16) for p in range(64)] for k in range(3)]
    fig = plotting.plot_digits(images, [1, 2, 3], [1, 7, 3], columns=2)
    axes = fig.axes
    assert len(axes) == 4  # 2 rows of 2, the last one empty
    first = axes[0].images[0].get_array()
    assert first.shape == (8, 8)
    assert first[1][0] == images[0][8] and first[7][7] == images[0][63]
    assert [ax.get_title() for ax in axes] == ["pred 1", "pred 7 (true 2)", "pred 3", ""]
    assert axes[0].title.get_color() == plotting.CORRECT_COLOUR
    assert axes[1].title.get_color() == plotting.WRONG_COLOUR
    assert len(axes[3].images) == 0


def test_digit_grid_without_predictions_and_with_a_shape():
    fig = plotting.plot_digits([[0.0] * 6, [1.0] * 6], [4, 5], shape=(2, 3))
    assert [ax.get_title() for ax in fig.axes] == ["4", "5"]
    assert fig.axes[1].images[0].get_array().shape == (2, 3)


def test_digit_grid_errors():
    with pytest.raises(ValueError, match="not square"):
        plotting.plot_digits([[0.0] * 10], [0])
    with pytest.raises(ValueError, match="2 labels"):
        plotting.plot_digits([[0.0] * 4], [0, 1])


def test_decision_grid_holds_the_model_outputs():
    # one sigmoid neuron on u − v: output 0.5 on the diagonal
    model = MLP.from_weights([[[1.0], [-1.0]]])
    us, vs, values = plotting.decision_grid(model, (-1.0, 1.0), (0.0, 2.0), resolution=3)
    assert us == [-1.0, 0.0, 1.0] and vs == [0.0, 1.0, 2.0]
    for r, v in enumerate(vs):
        for c, u in enumerate(us):
            assert values[r][c] == predict(model, [[u, v]])[0][0]
    assert values[0][1] == 0.5 and values[1][2] == 0.5  # u = v


def test_decision_grid_classes_and_input_mapping():
    # two outputs: class 1 wins where the third input (always 1) outweighs u
    model = MLP.from_weights([[[1.0, 0.0], [0.0, 0.0], [0.0, 0.5]]], output_activation="linear")
    _, _, values = plotting.decision_grid(
        model, (0.0, 1.0), (0.0, 1.0), resolution=2, to_input=lambda u, v: [u, v, 1.0]
    )
    assert values == [[1.0, 0.0], [1.0, 0.0]]


def test_decision_boundary_plot_on_the_xor_table():
    X, Y = xor_table()
    model = MLP(3, [4, 1], seed=0)
    train(model, X, Y, loss="sse", lr=1.0, epochs=1500, print_every=0)
    points = [[x1, x2] for x1, x2, _ in X]
    ax = plotting.plot_decision_boundary(
        model, points, Y, to_input=lambda u, v: [u, v, 1.0], resolution=20
    )
    dots = ax.collections[-1]
    assert dots.get_offsets().tolist() == points
    assert ax.get_xlim() == (-0.5, 1.5) and ax.get_ylim() == (-0.5, 1.5)
    _, _, values = plotting.decision_grid(
        model, (0.0, 1.0), (0.0, 1.0), resolution=2, to_input=lambda u, v: [u, v, 1.0]
    )
    # the corners of the grid are the table's rows: (0,0) and (1,1) below 0.5, the others above
    assert values[0][0] < 0.5 and values[1][1] < 0.5
    assert values[0][1] > 0.5 and values[1][0] > 0.5


def test_library_and_plotting_module_import_without_matplotlib():
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "sys.modules['matplotlib.pyplot'] = None\n"
        "import tinygrad_edu, tinygrad_edu.plotting as p\n"
        "from tinygrad_edu.training import History\n"
        "try:\n"
        "    p.plot_loss(History(loss=[1.0], accuracy=[None]))\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == plotting.INSTALL_HINT


def test_plot_loss_takes_a_list_of_loss_values_from_a_loop_of_your_own():
    from tinygrad_edu import Value

    losses = [Value(0.9), Value(0.5), 0.25]  # appended as Values, or as numbers
    ax = plotting.plot_loss(losses)
    assert list(ax.lines[0].get_ydata()) == [0.9, 0.5, 0.25]
