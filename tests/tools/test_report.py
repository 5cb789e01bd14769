"""The README's results section is generated from sidecars (affectkit.tools.report), in the
lines each notebook's lesson module writes (affectkit.teach.lessons)."""

import json
from pathlib import Path

import pytest

from affectkit.teach import lessons
from affectkit.tools import report
from affectkit.tools.runner import list_notebooks

ROOT = Path(__file__).resolve().parents[2]

DG = {
    "dg_runs": [{"setting": s, "seed": seed, "md_total": md + seed * 0.1, "probe_acc": p, "val_acc": 0.7}
                for seed in (0, 1) for s, md, p in (("untrained", 5.0, 0.99), ("omega0", 9.0, 0.98), ("mm", 2.0, 0.9))],
    "domain_probe_acc": {"omega0": 0.98, "mm": 0.9, "chance": 0.25},
    "omega_sweep": [{"omega": 0.0, "probe_acc": 0.98, "val_acc": 0.7}, {"omega": 1.0, "probe_acc": 0.4, "val_acc": 0.6}],
    "balancing_gain": [{"domain": "mosi", "mean": -0.01, "std": 0.005, "better_on": 0, "seeds": 2}],
}


def test_sections_cover_every_notebook():
    """One lesson module per notebook, found by its NOTEBOOK: the README's sections, in the notebooks'
    order."""
    assert list(lessons.notebooks()) == sorted(p.stem for p in list_notebooks())
    assert all(lessons.title(stem) for stem in lessons.notebooks())


def test_readme_has_one_generated_results_section():
    text = (ROOT / "README.md").read_text()
    assert text.count(report.BEGIN) == 1 and text.count(report.END) == 1
    section = text.split(report.BEGIN)[1].split(report.END)[0]
    assert "python -m affectkit.tools.report" in section and report.ASSERTED in section


def test_markdown_from_sidecars(tmp_path):
    (tmp_path / "05_dg_moment_matching.json").write_text(json.dumps(DG))
    text = report.results_markdown(tmp_path)
    assert "**EASUM's domain-general model** (`05_dg_moment_matching`)" in text
    assert "9.05 ± 0.05 -> 2.05 ± 0.05" in text, "MD_total mean ± std over the two seeds"
    assert "mosi -0.010 ± 0.005, better on 0 of 2 seeds (observed)" in text
    assert "00_tour" not in text, "notebooks without a sidecar are left out"


def test_write_readme_replaces_only_the_section(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "05_dg_moment_matching.json").write_text(json.dumps(DG))
    readme = tmp_path / "README.md"
    readme.write_text(f"# kit\n\nintro\n{report.BEGIN}\nold numbers\n{report.END}\n\n## Layout\n")
    report.write_readme(readme, tmp_path / "results")
    text = readme.read_text()
    assert text.startswith("# kit\n\nintro\n") and text.endswith(f"{report.END}\n\n## Layout\n")
    assert "old numbers" not in text and "MD_total" in text
    report.write_readme(readme, tmp_path / "results")
    assert readme.read_text() == text, "idempotent"


def test_bad_inputs_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        report.results_markdown(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no notebook sidecars"):
        report.results_markdown(tmp_path)
    (tmp_path / "05_dg_moment_matching.json").write_text("{not json")
    with pytest.raises(ValueError, match="05_dg_moment_matching.json is not valid JSON"):
        report.results_markdown(tmp_path)
    (tmp_path / "05_dg_moment_matching.json").write_text(json.dumps({"md_total": 1}))
    with pytest.raises(ValueError, match="lacks what the README reports"):
        report.results_markdown(tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="needs one"):
        report.write_readme(readme, tmp_path)
    assert readme.read_text() == "no markers\n", "nothing written half-way"
    assert report.main([str(tmp_path / "missing")]) == 2


def test_readme_lines_use_the_notebooks_rules():
    """The README reads a curve over every step and a gain seed by seed, as the notebooks do."""
    sweep = [{"latent": k, "test_mse": m, "probe_ua": u}
             for k, m, u in ((2, 0.997, 0.43), (4, 0.976, 0.55), (32, 0.984, 0.51), (64, 0.964, 0.63))]
    dae = {"recon_mse": {"reversed": 0.99, "forward": 0.98},
           "recon_runs": [{"target": t, "test_mse": 0.98} for t in ("reversed", "forward")],
           "latent_sweep": sweep,
           "recon_reference": [{"modality": "A"}, {"modality": "L", "probe_ua_latent": 0.51, "probe_ua_input": 0.70}]}
    lines = lessons.readme("02_dae_reconstruction", dae)
    assert "the test MSE goes up and down" in lines[2] and "the probe UA goes up and down" in lines[2]
    semi = {"semi_gain_ua": {"AVL": 0.02, "AV": -0.01, "AL": 0.0},
            "semi_gain_runs": [{"modalities": m, "seed": s, "gain": g} for m, gs in
                               (("AVL", (0.05, 0.04, -0.03)), ("AV", (-0.01,) * 3), ("AL", (0.01, -0.01, 0.0)))
                               for s, g in enumerate(gs)],
            "matching_saturation": {"paper_pair": 4.0, "median_pair": 1.0, "ceiling": 4.0},
            "unlabeled_curve": [{"n_unlabeled": n, "ua": u} for n, u in ((0, 0.575), (1500, 0.614), (6000, 0.597))],
            "table4": [{"modalities": m, "ua": 0.7, "ua_std": 0.01} for m in ("A", "V", "L", "AVL")],
            "unimodal_ua": {"A": 0.6, "V": 0.45, "L": 0.7}}
    text = " ".join(lessons.readme("04_semi_supervised", semi))
    assert "better on 2 of 3 seeds (no consistent difference)" in text and "no modality set gains on every seed" in text
    assert "UA goes up and down" in text
