"""d2lopt.chapter.cache: an experiment's result shared across calls and processes when asked for."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from d2lopt.chapter import cache


@pytest.fixture
def counted(tmp_path):
    """A decorated function that appends a line to a file per real call."""
    log = tmp_path / "calls.txt"

    @cache.cached_experiment
    def slow_square(x, *, offset=0):
        with log.open("a") as f:
            f.write(f"{x}\n")
        return {"square": x * x + offset}

    return slow_square, log


def _calls(log) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_without_the_environment_variable_every_call_runs(counted, monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    slow_square, log = counted
    assert slow_square(3) == slow_square(3) == {"square": 9}
    assert _calls(log) == 2


def test_with_it_equal_arguments_run_once_and_others_run_again(counted, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    slow_square, log = counted
    assert slow_square(3) == {"square": 9}
    assert slow_square(3) == {"square": 9}
    assert slow_square(3, offset=0) == {"square": 9}  # the default spelled out: same entry
    assert _calls(log) == 1
    assert slow_square(4) == {"square": 16}
    assert slow_square(3, offset=1) == {"square": 10}
    assert _calls(log) == 3
    assert (tmp_path / "cache" / cache.source_digest()).is_dir()


def test_another_process_reads_the_result(tmp_path):
    module = tmp_path / "experiment_mod.py"
    module.write_text(textwrap.dedent("""
        from pathlib import Path
        from d2lopt.chapter.cache import cached_experiment

        @cached_experiment
        def run(n):
            with (Path(__file__).parent / "calls.txt").open("a") as f:
                f.write("ran\\n")
            return list(range(n))
    """))
    code = "import experiment_mod; print(experiment_mod.run(4))"
    env = {"PYTHONPATH": f"{tmp_path}:{':'.join(sys.path)}", cache.ENV: str(tmp_path / "c")}
    outputs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True).stdout for _ in range(2)]
    assert outputs == ["[0, 1, 2, 3]\n"] * 2
    assert _calls(tmp_path / "calls.txt") == 1


def test_the_digest_follows_every_source_file(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    before = cache.source_digest(str(tmp_path))
    cache.source_digest.cache_clear()
    assert cache.source_digest(str(tmp_path)) == before
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")
    cache.source_digest.cache_clear()
    assert cache.source_digest(str(tmp_path)) != before


def test_results_of_an_older_d2lopt_are_deleted(counted, tmp_path, monkeypatch):
    root = tmp_path / "cache"
    (root / "0123456789abcdef").mkdir(parents=True)
    monkeypatch.setenv(cache.ENV, str(root))
    cache._memory.cache_clear()
    slow_square, _ = counted
    slow_square(2)
    assert [p.name for p in root.iterdir()] == [cache.source_digest()]


def test_only_functions_are_decorated():
    with pytest.raises(TypeError, match="decorates a function"):
        cache.cached_experiment(3)
