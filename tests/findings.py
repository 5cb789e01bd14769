"""What each notebook must show, asserted from its sidecar.

``SMOKE[stem](results)`` runs after the smoke-profile execution (structure and
ranges only: smoke sizes are too small for findings); ``LAB[stem](results)``
after the lab-profile execution (``make test-lab``): the notebook's claims.
Every notebook needs an entry in both.
"""


def _unit(value):
    return isinstance(value, (int, float)) and 0.0 <= value <= 1.0


def _claims_read(stem, r):
    """Every "What you learned" claim finds what it reads in the sidecar (the table would
    otherwise say "not recorded in this run" and no verdict)."""
    from affectkit import lessons

    for claim in lessons.claims(stem):
        claim.result(r)
        assert claim.holds(r) in (True, False, None), claim.claim


def smoke_00(r):
    for key in ("probe_ua", "probe_wa"):
        assert set(r[key]) == {"A", "V", "L", "AVL"}, key
        assert all(_unit(v) for v in r[key].values()), r[key]
    assert _unit(r["probe_state_ua"])
    assert set(r["happy_neutral_share"]) == {"labeled", "unlabeled"}
    assert set(r["domain_moment_gap"]) == {"across_mean", "within_mean", "across_std", "within_std"}
    assert {row["modalities"] for row in r["speaker_sweep"]} == {"A", "L"}


def lab_00(r):
    ua = r["probe_ua"]
    assert ua["L"] > ua["A"] > ua["V"], f"modality ranking (CMDM Table 4): {ua}"
    assert ua["AVL"] > max(ua["A"], ua["V"], ua["L"]), f"fusion beats every single modality: {ua}"
    assert r["probe_state_ua"] > ua["AVL"], "the true state is the ceiling"
    share = r["happy_neutral_share"]
    assert share["unlabeled"] >= 0.75 > share["labeled"], share
    gap = r["domain_moment_gap"]
    assert gap["across_mean"] > 3 * gap["within_mean"] and gap["across_std"] > 3 * gap["within_std"], gap
    sweep = {(row["modalities"], row["speaker"]): row["ua"] for row in r["speaker_sweep"]}
    lo, hi = min(s for _, s in sweep), max(s for _, s in sweep)
    drop = {m: sweep[m, lo] - sweep[m, hi] for m in ("A", "L")}
    assert drop["L"] > drop["A"] > 0 and drop["L"] > 0.05, f"speaker nuisance hurts pooled words most: {drop}"


SMOKE = {"00_tour": smoke_00}
LAB = {"00_tour": lab_00}


def smoke_03(r):
    keys = {"vanilla", "mmd_only", "mmd_unpaired", "mmd_recon"}
    assert set(r["latent_spread"]) == keys and set(r["ua"]) == keys
    assert all(v > 0 for v in r["latent_spread"].values())
    assert r["mmd_shuffle_invariance"] < 1e-6
    assert len(r["table7"]) == 8, "six rows in the kit's paired form, two as printed (set form)"
    assert {"setting", "form", "reconstruction", "mmd", "wap", "ua"} <= set(r["table7"][0])
    assert sum(row["form"] == "set" for row in r["table7"]) == 2
    curve = r["mmd_bandwidth_curve"]
    assert all(row["mmd"] > -0.05 for row in curve)
    assert {row["setting"] for row in r["table7_runs"]} >= {"fully | - | -", "fully | rec | mmd", "semi | rec | mmd"}
    assert set(r["matching_check"]) == {"pair", "shuffled", "ceiling", "silhouette_modality"}
    _claims_read("03_mmd_collapse", r)


def lab_03(r):
    s, ua = r["latent_spread"], r["ua"]
    assert s["vanilla"] >= 5 * s["mmd_only"], f"matching alone collapses the latents >= 5x: {s}"
    assert ua["mmd_only"] < ua["vanilla"], f"the collapse costs UA: {ua}"
    assert s["mmd_unpaired"] >= 4 * s["mmd_only"], f"the unpaired term restores the spread >= 4x: {s}"
    assert ua["mmd_unpaired"] >= ua["vanilla"] - 0.01, f"... and the UA (within 1 point): {ua}"
    # reconstruction is no remedy for the collapse: neither the spread nor the UA comes back
    # (an earlier claim, "it recovers a little UA", rested on a +0.001 difference inside the seed spread)
    assert s["mmd_recon"] < 2 * s["mmd_only"], f"reconstruction does not restore the spread: {s}"
    assert ua["mmd_recon"] < ua["vanilla"] - 0.02, f"... nor the UA: {ua}"
    assert r["mmd_shuffle_invariance"] < 1e-6
    assert r["paired_shuffle_ratio"] > 1.01, "real pairs are closer than shuffled ones"
    curve = r["mmd_bandwidth_curve"]
    peak = max(range(len(curve)), key=lambda i: curve[i]["mmd"])
    assert 0 < peak < len(curve) - 1, "MMD vanishes at both bandwidth extremes"
    t7 = {(row["setting"], row["form"], row["reconstruction"], row["mmd"]): row["ua"] for row in r["table7"]}
    assert t7["fully", "paired", True, True] >= t7["fully", "-", False, False], f"full model not worse than vanilla: {t7}"
    for rec in (False, True):  # Eq. 3 as printed: L_pair + L_unpair == 0, so the matching term does nothing
        assert abs(t7["fully", "set", rec, True] - t7["fully", "-", rec, False]) < 0.01, \
            f"set-form matching equals no matching (reconstruction {rec}): {t7}"


SMOKE["03_mmd_collapse"] = smoke_03
LAB["03_mmd_collapse"] = lab_03


def smoke_02(r):
    assert r["table3_match"] is True, "the paper-profile DAEs reproduce every shape of CMDM Table 3"
    assert set(r["recon_mse"]) == {"reversed", "forward"}
    assert all(v > 0 for v in r["recon_mse"].values())
    assert {row["modality"] for row in r["table3_shapes"]} == {"A", "V", "L"}
    assert {"latent", "test_mse", "probe_ua"} <= set(r["latent_sweep"][0])
    assert {"dae_mse", "zero_mse", "probe_ua_input", "probe_ua_latent", "n_test"} <= set(r["recon_reference"][0])
    _claims_read("02_dae_reconstruction", r)


def lab_02(r):
    assert r["table3_match"] is True
    ref = {row["modality"]: row for row in r["recon_reference"]}
    assert ref["A"]["dae_mse"] < 0.5 * ref["A"]["zero_mse"], f"a vector of mixed factors compresses well: {ref['A']}"
    assert ref["L"]["dae_mse"] > 0.8 * ref["L"]["zero_mse"], f"per-word content does not fit a short code: {ref['L']}"
    assert ref["L"]["probe_ua_latent"] > 0.4, f"the code keeps emotion well above chance (0.25): {ref['L']}"
    mse = r["recon_mse"]
    assert mse["forward"] <= mse["reversed"], f"no gain from the reversed target without recurrence: {mse}"
    # the latent-size sweep is read over the whole curve by the notebook's claims (readings.shape), which
    # test_lab_findings asserts: not from its two ends


SMOKE["02_dae_reconstruction"] = smoke_02
LAB["02_dae_reconstruction"] = lab_02


def smoke_04(r):
    rows = r["table5"]
    assert {(row["modalities"], row["mode"]) for row in rows} == {(m, mode) for m in ("AV", "AL", "AVL")
                                                                  for mode in ("fully", "semi")}
    assert {"modalities", "mode", "wap", "ua", "ua_std"} <= set(rows[0])
    assert set(r["semi_gain_ua"]) == {"AV", "AL", "AVL"}
    assert set(r["unimodal_ua"]) == {"A", "V", "L"}
    assert {"n_unlabeled", "ua"} <= set(r["unlabeled_curve"][0]) and len(r["unlabeled_curve"]) >= 2
    assert abs(sum(row["balanced (predicted)"] for row in r["pool_balance"]) - 1) < 1e-9
    assert set(r["matching_saturation"]) >= {"paper_pair", "median_pair", "ceiling"}
    assert {row["modalities"] for row in r["table4"]} == {"A", "V", "L", "AVL"}
    assert {row["modalities"] for row in r["table4_runs"]} == {"A", "V", "L", "AVL"}
    assert {(row["modalities"], row["mode"]) for row in r["table5_runs"]} >= {("AVL", "semi"), ("AL", "fully")}
    assert set(r["fig7b_terms"]) == {"pair", "unpair"} and all(row["n"] >= 1 for row in r["class_recall"])
    _claims_read("04_semi_supervised", r)


def lab_04(r):
    # the semi-supervised gains, Table 4's fusion against its best modality, Fig. 7a/7b: the notebook's
    # "What you learned" claims, asserted by test_lab_findings with the kit's rules (readings.beats: a gain
    # on every seed; readings.shape: every step of a curve)
    t4 = {row["modalities"]: row for row in r["table4"]}
    best = max(r["unimodal_ua"], key=r["unimodal_ua"].get)
    others = [m for m in r["unimodal_ua"] if m != best]
    assert all(t4["AVL"]["ua"] > t4[m]["ua"] + 0.05 for m in others), f"... and beats {others}: {t4}"
    uni = r["unimodal_ua"]
    assert uni["L"] > uni["A"] > uni["V"], f"Table 4's unimodal ranking: {uni}"
    pool = {row["class"]: row for row in r["pool_balance"]}
    before = max(row["pool (true)"] for row in pool.values())
    after = max(row["balanced (true)"] for row in pool.values())
    assert after < before, f"balancing by predicted classes moves the true classes towards balance: {before} -> {after}"
    assert len(r["unlabeled_curve"]) == 3, "none, a quarter and all of the balanced pool"
    sat = r["matching_saturation"]
    assert sat["paper_pair"] > 0.99 * sat["ceiling"], f"sigma=1 saturates the kernel on lab latents: {sat}"
    assert sat["median_pair"] < 0.8 * sat["ceiling"], f"the median bandwidth keeps it sensitive: {sat}"


SMOKE["04_semi_supervised"] = smoke_04
LAB["04_semi_supervised"] = lab_04


def smoke_05(r):
    assert set(r["md_total"]) == {"omega0", "mm"} and all(v > 0 for v in r["md_total"].values())
    assert set(r["domain_probe_acc"]) == {"omega0", "mm", "chance"}
    assert all(_unit(v) for v in r["domain_probe_acc"].values())
    rows = r["dg_metrics"]
    assert {"domain", "metric", "value"} <= set(rows[0])
    assert {row["domain"] for row in rows} == {"mosi", "mosei", "meld", "iemocap"}
    assert {row["metric"] for row in rows if row["domain"] == "mosi"} == {"acc3", "acc2", "f1", "corr"}
    assert r["mag_checks"]["largest lambda"] <= 1.0
    assert r["mag_checks"]["max |MAG(text, 0, 0) - LayerNorm(text)|"] < 1e-5
    assert len(r["omega_sweep"]) >= 3
    gain = {row["domain"]: row for row in r["balancing_gain"]}
    assert set(gain) == {"mosi", "mosei", "meld", "iemocap"}
    assert all({"balanced", "repeated", "mean", "std", "better_on", "seeds"} <= set(row) for row in gain.values())
    assert gain["mosi"]["train"] < gain["mosei"]["train"], "domains sized in the ratio of the real corpora"
    corr = r["augmentation_corr"]   # section 1: how much of a feature survives Eq. 1's noise
    paper_corr = next(v for k, v in corr.items() if "paper" in k)
    kit_corr = next(v for k, v in corr.items() if "kit" in k)
    assert paper_corr < 0.8 < kit_corr, f"the paper's N(1, I) noise leaves far less of a feature than the kit's: {corr}"
    assert {row["model"] for row in r["representation_silhouette"]} == {"ω = 0", "ω = 0.1"}
    _claims_read("05_dg_moment_matching", r)


def lab_05(r):
    md, probe = r["md_total"], r["domain_probe_acc"]
    assert md["mm"] < md["omega0"], f"moment matching ends with a lower MD_total: {md}"
    assert abs(probe["mm"] - probe["chance"]) < abs(probe["omega0"] - probe["chance"]), \
        f"moment matching brings the domain probe closer to chance: {probe}"
    runs = [row for row in r["dg_runs"]]
    by = {(row["setting"], row["seed"]): row for row in runs}
    seeds = sorted({row["seed"] for row in runs})
    for s in seeds:
        assert by[("mm", s)]["md_total"] < by[("omega0", s)]["md_total"], f"seed {s}: MD_total"
        assert by[("mm", s)]["probe_acc"] < by[("omega0", s)]["probe_acc"], f"seed {s}: domain probe"
    assert md["omega0"] > r["untrained_separation"]["md_total"], "training without matching pulls domains apart"
    assert md["mm"] * 3 < md["omega0"], f"matching lowers MD_total several-fold: {md}"
    assert probe["mm"] > 2 * probe["chance"], f"at the paper's weight the probe stays far above chance: {probe}"
    sweep = sorted(r["omega_sweep"], key=lambda row: row["omega"])
    paper = next(row for row in sweep if abs(row["omega"] - 0.1) < 1e-9)
    assert sweep[-1]["probe_acc"] < paper["probe_acc"], "stronger matching brings the probe towards chance"


SMOKE["05_dg_moment_matching"] = smoke_05
LAB["05_dg_moment_matching"] = lab_05


def smoke_06(r):
    domains = {"mosi", "mosei", "meld", "iemocap"}
    rows = r["spl_table"]
    assert {"domain", "spl", "metric", "mean", "std"} <= set(rows[0])
    assert {(row["domain"], row["spl"]) for row in rows} == {(d, s) for d in domains for s in ("none", "soft", "hard")}
    assert {"modalities", "metric", "mean", "std"} <= set(r["modality_ablation"][0])
    assert {row["modalities"] for row in r["modality_ablation"]} == {"L", "LA", "LV", "LAV"}
    assert {"eta", "metric", "mean"} <= set(r["eta_sweep"][0]) and len({row["eta"] for row in r["eta_sweep"]}) >= 4
    assert set(r["spl_gain_main"]) == domains
    assert {row["domain"] for row in r["ds_init_gain"]} == domains
    assert {row["init"] for row in r["ds_init_runs"]} == {"dg", "scratch"}
    copied = r["warm_start_copied"]
    assert any(k.startswith("fusion.mag.") for k in copied), copied
    assert all(k.startswith(("fusion.", "encoder.embeddings.")) for k in copied), \
        f"the warm start copies the fusion and the embedding layer, no encoder layer: {copied}"
    assert len(r["spl_samples"]) == 8 and all(_unit(row["argmax accuracy vs the hidden truth"])
                                              for row in r["teacher_aux_accuracy"])
    assert all(isinstance(row["top pseudo label right"], bool) for row in r["spl_samples"])
    assert {row["modalities"] for row in r["modality_runs"]} == {"L", "LA", "LV", "LAV"}
    assert {0.0, r["eta_runs"][0]["paper_eta"]} <= {row["eta"] for row in r["eta_runs"]}
    _claims_read("06_soft_label_ablation", r)


def lab_06(r):
    mae = {row["modalities"]: row["mean"] for row in r["modality_ablation"] if row["metric"] == "mae"}
    assert mae["LAV"] <= mae["L"], f"T+A+V at least as good as T on MOSI's MAE: {mae}"
    runs = {(row["domain"], row["spl"], row["seed"]): row for row in r["spl_runs"]}
    assert {row["init"] for row in r["spl_runs"]} == {"dg"}, "Table 5 with the paper's warm start"
    # with the warm start fixed (issue 23: no ConvBERT layer copied) soft pseudo labels lower MOSI's
    # MAE on 2 of 3 seeds only (mean -0.0098; seed 0 +0.0007): what holds is a lower mean MAE
    seeds = sorted({row["seed"] for row in r["spl_runs"]})
    gains = [runs[("mosi", "soft", s)]["mae"] - runs[("mosi", "none", s)]["mae"] for s in seeds]
    assert sum(gains) < 0, f"MOSI: soft pseudo labels lower the mean MAE over seeds: {gains}"
    init = {row["domain"]: row for row in r["ds_init_gain"]}
    # with the fusion and embeddings copied only (issue 23): MELD gains on every seed; the old
    # "hurts MOSEI on every seed" came from copying ConvBERT's feed-forward weights and no longer holds
    assert init["meld"]["worst"] > 0, f"the warm start helps MELD on every seed: {init['meld']}"
    quality = {row["domain"]: row for row in r["teacher_aux_accuracy"]}
    for d, row in quality.items():
        assert row["argmax accuracy vs the hidden truth"] > row["chance (majority)"], \
            f"{d}: the teacher's pseudo labels beat the majority class on the task it never saw there"


SMOKE["06_soft_label_ablation"] = smoke_06
LAB["06_soft_label_ablation"] = lab_06


def smoke_07(r):
    assert set(r["latent_spread"]) == {"collapsed", "fixed"} and all(v > 0 for v in r["latent_spread"].values())
    assert set(r["modality_silhouette"]) == {"vanilla", "matched"}
    assert all(-1 <= v <= 1 for v in r["modality_silhouette"].values())
    assert set(r["knn_accuracy"]) == {"vanilla", "matched"} and all(_unit(v) for v in r["knn_accuracy"].values())
    assert all(0 <= row["trustworthiness"] <= 1 for row in r["collapse_scores"])
    full = r["full_matching"]
    assert set(full) == {"pair", "ceiling", "vanilla_pair"} and 0 <= full["pair"] <= full["ceiling"] == 4, full
    assert {row["model"] for row in r["dg_scores"]} >= {"ω = 0"}, r["dg_scores"]
    _claims_read("07_latent_explorer", r)


def lab_07(r):
    spread = {row["model"]: row["spread"] for row in r["collapse_scores"]}
    assert spread["vanilla"] >= 4 * spread["mmd_only"], f"matching alone shrinks the space at least 4x: {spread}"
    full = r["full_matching"]
    assert full["pair"] >= 0.95 * full["ceiling"], \
        f"sigma = 1: the full model's matching term sits at its ceiling (no pull; numerically vanilla): {full}"
    sil = r["modality_silhouette"]
    assert sil["matched"] < sil["vanilla"], f"matching mixes the modalities: {sil}"
    dg = {row["model"]: row["silhouette_domain"] for row in r["dg_scores"]}
    off = dg.pop("ω = 0")
    assert all(v < 0.5 * off for v in dg.values()), f"moment matching mixes the domains: {off} -> {dg}"


SMOKE["07_latent_explorer"] = smoke_07
LAB["07_latent_explorer"] = lab_07


def _features_01(r):
    # the sample clip is the same in every profile: 4.7 s of speech, 118 frames
    assert r["shapes"] == {"A": [1582], "V": [18, 1764], "L": [22, 384]}, r["shapes"]
    assert r["padding"] == {"words": 14, "kept_of_12": 12, "kept_of_30": 14}, r["padding"]
    z = r["znorm"]
    assert z["train_mean"] < 1e-4 and abs(z["train_std"] - 1) < 1e-3, f"ZNorm standardises train: {z}"


SMOKE["01_features"] = _features_01


def lab_01(r):
    _features_01(r)
    assert 0.01 < r["znorm"]["test_mean"] < 1.0, "test keeps its own offset (train statistics only)"


LAB["01_features"] = lab_01


MELD_MODELS = {"majority", "logreg", "cmdm-L", "finetuned"}


def _meld_available():
    from affectkit.data.meld import FILES, meld_dir

    try:
        folder = meld_dir()
    except FileNotFoundError:
        return False
    return all((folder / FILES[s]).exists() for s in ("train", "dev"))


def _meld_rows(r):
    """The rows of ``meld`` by (model, split); a skip only when MELD is really absent."""
    if not _meld_available():
        assert r["meld"] == [] and "MELD" in r["skipped"], "without MELD the notebook records why it skipped"
        return None
    rows = {(row["model"], row["split"]): row for row in r["meld"]}
    assert {m for m, _ in rows} == MELD_MODELS and ("dev" in {s for _, s in rows}), sorted(rows)
    assert all(_unit(row["weighted_f1"]) and _unit(row["accuracy"]) for row in rows.values())
    return rows


def _meld_vs_paper(r, rows):
    """Table 6 is scored on test: the kit's difference to it is a test score's, recorded only
    when this run scored test with the models chosen on dev; with dev alone, no difference."""
    from affectkit.cmdm.reference import CMDM_MELD_L

    vs, best = r["vs_paper"], r["best_dev"]
    dev = {m: row["weighted_f1"] for (m, s), row in rows.items() if s == "dev"}
    assert best["model"] == max(dev, key=dev.get), f"the best model is chosen on dev: {best}, {dev}"
    if ("finetuned", "test") not in rows:
        assert vs["split"] is None and "test" in vs["reason"] and best["test_weighted_f1"] is None, vs
        assert set(vs) == {"split", "reason"}, f"no difference to the paper without a test score: {vs}"
        return
    test = {m: row["weighted_f1"] for (m, s), row in rows.items() if s == "test"}
    assert vs["split"] == "test" and best["test_weighted_f1"] == test[best["model"]], (vs, best)
    for m in ("cmdm-L", "finetuned"):
        assert abs(vs[m] - (test[m] - CMDM_MELD_L)) < 1e-9, f"{m}: the test score minus Table 6's: {vs}"


def smoke_08(r):
    rows = _meld_rows(r)
    if rows is None:
        return None
    dev = r["cmdm_dev"]   # the CMDM lexical model's dev curve: its kept epoch is its best dev UA
    assert len(dev["val_ua"]) == dev["epochs"] and 0 <= dev["best_epoch"] < dev["epochs"], dev
    assert dev["val_ua"][dev["best_epoch"]] == max(dev["val_ua"]), dev
    _meld_vs_paper(r, rows)
    return rows


SMOKE["08_meld_text"] = smoke_08


def lab_08(r):
    rows = _meld_rows(r)
    if rows is None:
        return
    f1 = {m: rows[m, "dev"]["weighted_f1"] for m in MELD_MODELS}
    acc = rows["majority", "dev"]["accuracy"]
    assert f1["majority"] < 0.3 < acc, f"the majority class: high accuracy, low weighted F1: {f1}, acc {acc}"
    assert f1["logreg"] > f1["majority"] + 0.15 and f1["cmdm-L"] > f1["majority"] + 0.15, f1
    assert f1["finetuned"] >= 0.58, f"the kit's best text-only model reaches 0.58 weighted F1 on dev: {f1}"
    assert f1["finetuned"] == max(f1.values()) and r["best_dev"]["model"] == "finetuned", f1
    assert f1["logreg"] > f1["cmdm-L"], f"CMDM-L does not beat logreg on the same word vectors (dev): {f1}"
    _meld_vs_paper(r, rows)
    per_class = r["per_class_f1_dev"]["finetuned"]
    assert set(sorted(per_class, key=per_class.get)[:2]) == {"fear", "disgust"}, \
        f"the two rarest classes keep the lowest F1: {per_class}"


LAB["08_meld_text"] = lab_08


def smoke_09(r):
    assert r["corpus_rows"]["labels"] == ["happy", "neutral", "sad"]
    assert r["extraction"]["skipped"] == 0 and r["extraction"]["extracted"] == r["corpus_rows"]["clips"]
    assert set(r["cmdm_ua"]) == {"A alone", "V alone", "L alone", "AVL vanilla", "AVL matched", "AVL semi"}
    assert all(_unit(v) for v in r["cmdm_ua"].values())
    assert {row["spl"] for row in r["easum_ds"]} == {"none", "soft"}


def lab_09(r):
    """The demo's labels hold by construction: the words decide the class, the sound
    follows it, the face is the same in every clip. The pipes must show exactly that."""
    smoke_09(r)
    c = r["construction_check"]
    assert c["L"] >= 0.9, f"each class has its own lines: the lexical model separates them: {c}"
    assert c["A"] > c["chance"] + 0.2, f"speed and loudness carry the class: {c}"
    assert c["V"] <= c["chance"] + 0.1, f"one face for every clip: the visual model is at chance: {c}"


def smoke_09_run(r):
    """The smoke run's checks, with the keys the stored lab sidecar may predate."""
    smoke_09(r)
    assert r["corpus_rows"]["speakers_in_two_splits"] == 0, "the demo keeps each speaker in one split"
    spread = r["latent_by_modality"]["spread"]
    assert spread["V"] < 1e-4 < spread["A"], f"one face in every clip: the visual latents are one point: {spread}"


SMOKE["09_your_corpus"] = smoke_09_run
LAB["09_your_corpus"] = lab_09
