"""affectkit sweep: one result file per (setting, seed), the same numbers as the notebook's runner,
resumable after a SIGKILL, a failing job reported by setting and seed while the others go on."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from affectkit.cmdm.experiments import run_settings
from affectkit.tools import sweep as sw

pytestmark = pytest.mark.xdist_group("sweep")
METRICS = ("ua", "wa", "wap", "spread", "effective_rank", "rec_mse")


def by_job(rows):
    return {(r["setting"], r["seed"]): tuple(r[m] for m in METRICS) for r in rows}


def test_seeds_are_parsed():
    assert sw.parse_seeds("0-3") == (0, 1, 2, 3) and sw.parse_seeds("5,1,5") == (5, 1) and sw.parse_seeds("7") == (7,)
    for bad in ("3-1", "a", "1-", ""):
        with pytest.raises(ValueError, match="seed"):
            sw.parse_seeds(bad)


def test_a_sweep_gives_the_runners_numbers_and_a_table(tmp_path, capsys):
    out = tmp_path / "collapse"
    assert sw.main(["cmdm", "--grid", "collapse", "--seeds", "0-1", "--profile", "smoke", "--out", str(out), "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["jobs"], report["trained"], report["failed"]) == (8, 8, [])
    here = run_settings(sw.settings_of("cmdm", "collapse"), profile="smoke", seeds=(0, 1), workers=1, progress=False)
    assert by_job(sw.Sweep.open(out).rows()) == by_job(here.to_dict("records"))
    # a second run trains nothing
    assert sw.main(["cmdm", "--grid", "collapse", "--seeds", "0-1", "--profile", "smoke", "--out", str(out), "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["already_done"] == 8
    assert sw.main(["cmdm", "--out", str(out), "--table"]) == 0
    printed = capsys.readouterr().out
    assert "mmd_unpaired" in printed and "±" in printed
    assert (out / "table.csv").exists() and (out / "table.png").stat().st_size > 1000
    # another sweep in the same folder is refused
    assert sw.main(["cmdm", "--grid", "table7", "--seeds", "0", "--profile", "smoke", "--out", str(out)]) == 2
    assert "holds another sweep" in capsys.readouterr().err


def test_a_failing_job_is_named_and_the_others_kept(tmp_path, monkeypatch, capsys):
    real = sw.FolderJob.__call__

    def flaky(job):
        if (job.name, job.seed) == ("mmd_only", 1):
            raise RuntimeError("a worker ran out of memory")
        return real(job)

    monkeypatch.setattr(sw.FolderJob, "__call__", flaky)
    out = tmp_path / "s"
    args = ["cmdm", "--grid", "collapse", "--seeds", "0-1", "--profile", "smoke", "--out", str(out), "--quiet"]
    assert sw.main(args) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["failed"] == [{"setting": "mmd_only", "seed": 1, "error": "RuntimeError: a worker ran out of memory"}]
    assert report["trained"] == 7 and "failed: mmd_only (seed 1)" in captured.err
    assert "Traceback" in (out / "failed" / "mmd_only__seed1.txt").read_text()
    monkeypatch.setattr(sw.FolderJob, "__call__", real)
    assert sw.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["trained"], report["already_done"]) == (1, 7) and not (out / "failed" / "mmd_only__seed1.txt").exists()


def test_a_killed_sweep_resumes_to_the_same_results(tmp_path):
    """SIGKILL mid-way, run again: every result present once and equal to an uninterrupted sweep."""
    args = [sys.executable, "-m", "affectkit", "sweep", "cmdm", "--grid", "collapse", "--seeds", "0-5",
            "--profile", "smoke", "--quiet", "--out"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    killed = tmp_path / "killed"
    proc = subprocess.Popen(args + [str(killed)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((killed / "results").glob("*.json"))) < 3 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(list((killed / "results").glob("*.json")))
    assert 3 <= partial < 24, f"the kill should land mid-way ({partial} of 24 results written)"
    done = subprocess.run(args + [str(killed)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["already_done"] == partial and report["trained"] == 24 - partial
    whole = tmp_path / "whole"
    assert subprocess.run(args + [str(whole)], env=env, capture_output=True, timeout=300).returncode == 0
    files = sorted(p.name for p in (killed / "results").iterdir())
    assert files == sorted(p.name for p in (whole / "results").iterdir()) and len(files) == 24
    assert by_job(sw.Sweep.open(killed).rows()) == by_job(sw.Sweep.open(whole).rows())


def test_without_dask_the_scheduler_says_how_to_install(tmp_path, without_dask, capsys):
    code = sw.main(["cmdm", "--grid", "collapse", "--seeds", "0", "--profile", "smoke", "--out", str(tmp_path / "s"),
                    "--scheduler", "tcp://127.0.0.1:8786", "--quiet"])
    assert code == 2 and "pip install 'affectkit[dask]'" in capsys.readouterr().err


def test_clear_errors(tmp_path, capsys):
    assert sw.main(["cmdm", "--out", str(tmp_path / "none"), "--table"]) == 2
    assert "no sweep" in capsys.readouterr().err
    assert sw.main(["easum", "--grid", "collapse", "--out", str(tmp_path / "x")]) == 2
    assert "unknown grid 'collapse' for easum" in capsys.readouterr().err
    assert sw.main(["cmdm", "--out", str(tmp_path / "x")]) == 2
    assert "--grid is needed" in capsys.readouterr().err


def test_notebook_11s_grids_give_the_regimes_runners_numbers(tmp_path, capsys):
    """The regimes grids through the sweep: the same rows as notebook 11's runners at the same training
    lengths (the shift grid's payoff column included; the size grid trains its teachers once per seed)."""
    from affectkit import regimes
    from affectkit.teach.lessons.regimes import GRIDS
    from affectkit.teach.lessons.semi import SEMI_LOSS

    out = tmp_path / "labels"
    assert sw.main(["cmdm", "--grid", "labels", "--seeds", "0", "--profile", "smoke", "--out", str(out), "--quiet"]) == 0
    here = regimes.semi_by_labels(GRIDS["labels"]["values"], SEMI_LOSS, "smoke", (0,), epochs=1, progress=False,
                                  workers=1)
    assert by_job(sw.Sweep.open(out).rows()) == by_job(here.to_dict("records"))
    import pandas as pd

    swept = regimes.split_setting(pd.DataFrame(sw.Sweep.open(out).rows()))
    pd.testing.assert_frame_equal(regimes.paired_gains(swept, "ua"), regimes.paired_gains(here, "ua"))
    with pytest.raises(ValueError, match="with"):
        regimes.split_setting(pd.DataFrame({"setting": ["vanilla"]}))
    out = tmp_path / "shift"
    assert sw.main(["easum", "--grid", "shift", "--seeds", "0", "--profile", "smoke", "--out", str(out), "--quiet"]) == 0
    rows = {r["setting"]: r["test_acc"] for r in sw.Sweep.open(out).rows()}
    here = regimes.mm_by_shift(GRIDS["shift"]["values"], sw.DG_OMEGA, "smoke", (0,), epochs=1, progress=False,
                               workers=1)
    assert rows == {f"{v!r} | {a}": acc for v, a, acc in zip(here.value, here.arm, here.test_acc)}
    out = tmp_path / "size"
    assert sw.main(["easum", "--grid", "size", "--seeds", "0", "--profile", "smoke", "--out", str(out), "--quiet"]) == 0
    rows = sw.Sweep.open(out).rows()
    assert {r["setting"] for r in rows} == {f"{v!r} | {a}" for v in GRIDS["size"]["values"] for a in ("with", "without")}
    assert sw.main(["easum", "--out", str(out), "--table"]) == 0   # the grid's metric is kept even where it is flat
    assert (out / "needs" / "teacher__seed0.pt").exists() and all(r["n_train"] >= 1 for r in rows)
    capsys.readouterr()
