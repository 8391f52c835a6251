"""Every benchmark script runs end to end on a tiny size and prints its ratio lines and a
gradient check, so the benchmarks in the README can always be rerun. No timing is asserted."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

pytestmark = pytest.mark.slow


def run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=BENCHMARKS.parent,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# the median of the rounds' own ratios, with their quartiles
RATIO = r"[\d.]+x \(quartiles [\d.]+–[\d.]+x\)"


@pytest.fixture(scope="module")
def demo_table(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo") / "demo.md"


@pytest.fixture(scope="module")
def demo_output(demo_table) -> str:
    return run(
        "bench_micrograd_demo.py", "--points", "6", "--repeats", "3", "--warmup", "0",
        "--write", str(demo_table),
    )  # fmt: skip


def test_the_demo_benchmark_checks_gradients_against_micrograd(demo_output):
    differences = re.findall(r"^  (.+?)\s+(\d\.\de[+-]\d\d)$", demo_output, re.MULTILINE)
    engines = dict(differences)
    assert {
        "tinygrad_edu (default, fused)",
        "tinygrad_edu (fused=False)",
        "plain floats (the floor)",
    } <= set(engines)
    assert all(float(d) < 1e-12 for d in engines.values())
    assert "fused and fused=False gradients bit-identical: yes" in demo_output


def test_the_demo_benchmark_prints_ratios_under_both_gc_conditions_in_both_heaps(demo_output):
    heaps = ["torch not imported"]
    if importlib.util.find_spec("torch"):
        heaps.append("torch imported")
    for heap in heaps:
        for gc_condition in ("default GC", "GC paused in the step"):
            for model in ("default, fused", "fused=False"):
                line = re.search(
                    rf"^ratio \[{gc_condition}, {heap}\] tinygrad_edu \({model}\): "
                    rf"{RATIO} faster than micrograd.*, {RATIO} the plain-float floor$",
                    demo_output,
                    re.MULTILINE,
                )
                assert line, (heap, gc_condition, model)
    with_torch = re.findall(
        r"^ratio \[.*, torch imported\] .*faster than PyTorch scalars", demo_output, re.MULTILINE
    )
    assert len(with_torch) == (4 if len(heaps) == 2 else 0)


def test_the_demo_benchmark_writes_its_report_with_the_ratios_for_the_docs(demo_output, demo_table):
    written = demo_table.read_text(encoding="utf-8")
    for condition in ("default GC", "GC paused in the step"):
        for model in ("default, fused", "fused=False"):
            assert re.search(
                rf"^ratio \[{condition}, torch not imported\] tinygrad_edu \({model}\): "
                rf"{RATIO} faster than micrograd",
                written,
                re.MULTILINE,
            ), (condition, model)
    for median, low, high in re.findall(r"([\d.]+)x \(quartiles ([\d.]+)–([\d.]+)x\)", written):
        assert float(low) <= float(median) <= float(high)  # the median lies between them


def test_the_memory_benchmark_prints_bytes_per_node_ratios():
    out = run("bench_memory.py", "--points", "4")
    for model in ("fused=False", "default, fused"):
        assert re.search(
            rf"^ratio tinygrad_edu \({model}\): [\d.]+x fewer bytes per node than micrograd",
            out,
            re.MULTILINE,
        )


def test_the_chain_benchmark_gets_the_right_gradients_at_every_size():
    out = run("bench_chain.py", "--sizes", "1000", "3000", "--repeats", "1")
    rows = re.findall(r"^\s+([\d,]+) .*  (right|WRONG) ", out, re.MULTILINE)
    assert rows == [("1,000", "right"), ("3,000", "right")]


def test_the_mnist_benchmark_compares_train_with_the_plain_float_floor_doing_the_same_work():
    out = run("bench_mnist_epoch.py", "--images", "20", "--rounds", "1", "--full-set", "60")
    assert "load_mnist: 60 + 10 synthetic images" in out
    times = r" +[\d.]+ +[\d.]+ +[\d.]+–[\d.]+$"  # best, median, quartiles
    assert re.search(r"^  tinygrad_edu train\(\)" + times, out, re.MULTILINE)
    assert re.search(r"^  plain floats \(the floor\)" + times, out, re.MULTILINE)
    assert "(equal to 1e-12)" in out  # both trained the same weights
    assert re.search(
        r"^ratio train\(\) / floor per image: median of the rounds' ratios [\d.]+x "
        r"\(quartiles [\d.]+–[\d.]+\), best times [\d.]+x$",
        out,
        re.M,
    )
    assert re.search(
        r"MNIST epoch of 60,000 images with train\(\), extrapolated: [\d.]+ minutes", out
    )


def test_the_drop_in_benchmark_times_all_three_engines_and_compares_their_numbers():
    out = run("bench_micrograd_dropin.py", "--steps", "2", "--rounds", "1", "--points", "10")
    for engine in ("micrograd 0.1.0", r"drop-in, install\(\)", r"drop-in, install\(fused=True\)"):
        assert re.search(rf"^  {engine} +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+x$", out, re.MULTILINE)
    assert re.search(r"^drop-in against micrograd: losses within \d+ ulps", out, re.MULTILINE)
    assert "accuracy equal at every step: yes" in out
    assert "fused and expanded losses bit-identical at every step: yes" in out


def test_the_origins_benchmark_times_both_steps_with_and_without_origins():
    output = run("bench_origins.py", "--rounds", "1", "--points", "4", "--tokens", "3")
    assert re.search(r"^  GPT +[\d,]+ nodes, [\d,]+ distinct stacks", output, re.MULTILINE)
    for name in ("MLP", "GPT"):
        assert re.search(
            rf"^  {name} +plain +[\d.]+ ms +origins +[\d.]+ ms +ratio median [\d.]+x", output, re.M
        )


def test_the_microgpt_benchmark_checks_the_bits_and_prints_both_ratios(tmp_path):
    page = tmp_path / "microgpt.md"
    out = run("bench_microgpt.py", "--rounds", "1", "--warmup", "0", "--write", str(page))
    assert re.search(r"^graph of one step on '\w+': [\d,]+ nodes, [\d,]+ edges$", out, re.M)
    folded, chain = re.search(
        r"^graph.*: ([\d,]+) nodes.*\n.*has ([\d,]+) nodes\)$", out, re.M
    ).groups()
    assert 5 * int(folded.replace(",", "")) < int(chain.replace(",", ""))  # sum() folded
    assert "bench_microgpt.py --rounds 1 --warmup 0 --write" in page.read_text(encoding="utf-8")
    assert "losses bit-identical to the protocol copy's: yes; weights bit-identical: yes" in out
    for other in (r"microgpt-style Value \(protocol copy\)", r"tinygrad_edu\.Value \(core\)"):
        assert re.search(
            rf"^ratio {other} / tinygrad_edu\.microgpt\.Value: [\d.]+x as the median of each "
            r"round's own ratio \(lowest [\d.]+x, highest [\d.]+x\)$",
            out,
            re.MULTILINE,
        )


def test_the_microgpt_script_benchmark_runs_a_script_three_ways_and_compares_the_bytes():
    script = BENCHMARKS.parent / "tests" / "microgpt" / "scripts" / "names_gpt.py"
    out = run("bench_microgpt_script.py", str(script), "--rounds", "1")
    for way in ("import line", "tinygrad-edu run"):
        assert f"  {way}: printed byte for byte what the own class printed: yes" in out
        assert re.search(rf"^ratio own class / {way}: [\d.]+x as the median", out, re.M)


def test_a_benchmark_writes_its_report_for_the_docs(tmp_path):
    page = tmp_path / "results" / "memory.md"
    out = run("bench_memory.py", "--points", "4", "--write", str(page))
    written = page.read_text(encoding="utf-8")
    assert f"wrote {page}" in out
    assert re.search(r"^Measured on \d{4}-\d\d-\d\d on .+, \d+ cores, Python 3\.", written, re.M)
    assert "with `python benchmarks/bench_memory.py --points 4 --write" in written
    report = out.split(f"wrote {page}")[0].strip()
    assert f"```text\n{report}\n```" in written  # exactly what was printed


def test_the_startup_benchmark_times_the_import():
    out = run("bench_startup.py", "--imports", "2", "--trainings", "0")
    assert re.search(r"^  best [\d.]+ ms, median [\d.]+ ms$", out, re.MULTILINE)


def test_every_table_the_speed_page_includes_was_written_by_a_benchmark():
    docs = BENCHMARKS.parent / "docs"
    speed = (docs / "explanation" / "speed.md").read_text(encoding="utf-8")
    included = re.findall(r"```\{include\} \.\./speed/results/(\w+)\.md", speed)
    assert len(included) >= 6
    for name in included:
        written = (docs / "speed" / "results" / f"{name}.md").read_text(encoding="utf-8")
        script = re.search(r"written by `python benchmarks/(\w+\.py)", written)
        assert script and (BENCHMARKS / script.group(1)).exists(), name
