"""The emulator benchmark: its figures are consistent with each other (no timing asserts)."""
import pytest

from fmfit import bench


def test_bench_reports_ratios_from_its_own_timings():
    pytest.importorskip("ymfm")
    r = bench.run(batch=4, rounds=1, reference_patches=2)
    assert r["ymfm_single_s"] > 0 and r["fmfit_single_s"] > 0 and r["fmfit_batch_per_patch_s"] > 0
    assert r["single_vs_ymfm"] == pytest.approx(r["ymfm_single_s"] / r["fmfit_single_s"])
    assert r["batch_vs_ymfm"] == pytest.approx(r["ymfm_single_s"] / r["fmfit_batch_per_patch_s"])
    assert r["fmfit_batch_x_realtime"] == pytest.approx(bench.SECONDS / r["fmfit_batch_per_patch_s"])
    table = bench.format_table(r)
    assert "ymfm-py, one patch" in table and "batch of 4" in table


def test_bench_patches_are_the_same_every_run():
    assert (bench.bench_patches(8) == bench.bench_patches(8)).all()
    assert not (bench.bench_patches(8, seed=1) == bench.bench_patches(8)).all()
