"""The "What you learned" tables use the kit's verdict rules (affectkit.teach.readings), the same
rules as the readings the notebooks print beside their figures: a gain counts on every
seed, a curve on every step, a matching term at 95% of its ceiling does not pull."""

from affectkit.teach import lessons, readings


def _row(stem, claim_start, sidecar):
    """(verdict word, result text) of the claim of ``stem`` whose text starts with ``claim_start``
    (read from the partial ``sidecar``, as the What-you-learned table reads it)."""
    found = [c for c in lessons.claims(stem) if c.claim.startswith(claim_start)]
    assert len(found) == 1, f"{stem}: {len(found)} claims start with {claim_start!r}"
    return readings.verdict(found[0].holds(sidecar)), found[0].result(sidecar)


def test_a_gain_on_two_of_three_seeds_is_no_gain_in_table_and_reading():
    def sidecar(gains):
        return {"semi_gain_runs": [{"modalities": "AVL", "seed": s, "gain": g} for s, g in enumerate(gains)]}

    gains = [0.05, 0.04, -0.03]   # a positive mean
    word, text = _row("04_semi_supervised", "CMDM Table 5: semi-supervised beats fully supervised for A+V+L",
                      sidecar(gains))
    assert word == "no" and text == readings.paired(gains, "A+V+L semi", "fully", "UA")
    assert "no consistent difference" in text
    assert _row("04_semi_supervised", "CMDM Table 5: semi-supervised beats fully supervised for A+V+L",
                sidecar([0.05, 0.04, 0.01]))[0] == "yes"


def test_a_curve_is_read_over_every_step():
    sweep = [{"latent": k, "test_mse": 1.0 - 0.01 * i, "probe_ua": ua}
             for i, (k, ua) in enumerate(zip((2, 4, 8, 16, 32, 64), (0.43, 0.55, 0.58, 0.60, 0.52, 0.63)))]
    sidecar = {"latent_sweep": sweep}
    word, text = _row("02_dae_reconstruction", "The kit's hypothesis: a larger code keeps more emotion", sidecar)
    assert word == "no" and "goes up and down" in text, "size 32 below 4, 8 and 16: no rise, whatever the ends"
    assert _row("02_dae_reconstruction", "The kit's hypothesis (CMDM Table 3", sidecar)[0] == "yes"
    curve = [{"n_unlabeled": n, "ua": ua} for n, ua in ((0, 0.575), (1500, 0.614), (6000, 0.597))]
    word, text = _row("04_semi_supervised", "CMDM Fig. 7a", {"unlabeled_curve": curve})
    assert word == "no" and "highest 0.614 at 1500" in text


def test_a_latent_that_loses_emotion_does_not_keep_it():
    ref = [{"modality": "A"}, {"modality": "L", "probe_ua_latent": 0.491, "probe_ua_input": 0.700, "n_test": 800}]
    assert _row("02_dae_reconstruction", "CMDM Sec. 3.1: a DAE learns", {"recon_reference": ref})[0] == "no"
    assert _row("02_dae_reconstruction", "The kit's observation", {"recon_reference": ref})[0] == "yes"


def test_one_spread_for_table_7():
    """The table reads Table 7's rows seed by seed, as cell 20 prints them (no second spread)."""
    ua = {"fully | rec | mmd": [0.71, 0.70, 0.72], "semi | rec | mmd": [0.70, 0.69, 0.71], "fully | - | -": [0.70] * 3}
    runs = [{"setting": k, "seed": s, "ua": v} for k, vs in ua.items() for s, v in enumerate(vs)]
    word, text = _row("03_mmd_collapse", "CMDM Table 7: the unlabeled pool", {"table7_runs": runs})
    assert word == "no" and text == readings.paired([-0.01] * 3, "semi", "fully", "UA")
    assert _row("03_mmd_collapse", "CMDM Table 7: reconstruction", {"table7_runs": runs})[0] == "no"


def test_a_saturated_matching_term_does_not_match():
    check = {"pair": 1.94, "shuffled": 1.98, "ceiling": 2.0, "silhouette_modality": 0.4}
    word, text = _row("03_mmd_collapse", "CMDM Sec. 3.2: the matching term brings", {"matching_check": check})
    assert word == "no" and "97% of the ceiling" in text and "saturated" in text
    full = {"pair": 3.9, "ceiling": 4.0, "vanilla_pair": 3.95}
    assert _row("07_latent_explorer", "CMDM Eq. 6-7", {"full_matching": full})[0] == "no"


def test_balancing_that_does_not_reach_balance_says_so():
    pool = [{"class": c, "pool (true)": p, "balanced (true)": b}
            for c, p, b in (("neutral", 0.45, 0.35), ("happy", 0.35, 0.25), ("angry", 0.1, 0.2), ("sad", 0.1, 0.2))]
    # the paper says "more balanced" (yes); within 20% of an equal share is the kit's stricter reading (no)
    assert _row("04_semi_supervised", "The kit's stricter reading of CMDM Sec. 4.2", {"pool_balance": pool})[0] == "no"
    assert _row("04_semi_supervised", "CMDM Sec. 4.2: after the selection", {"pool_balance": pool})[0] == "yes"


def test_notebooks_05_and_07_read_the_domains_with_one_rule():
    dg = {"representation_silhouette": [{"model": "ω = 0", "by domain": 0.30}, {"model": "ω = 0.1", "by domain": 0.12}],
          "domain_probe_acc": {"omega0": 0.99, "mm": 0.96, "chance": 0.25}}
    assert _row("05_dg_moment_matching", "The same, read as notebook 07", dg)[0] == "yes"
    assert _row("05_dg_moment_matching", "EASUM's premise taken at its word", dg)[0] == "no"
    explorer = {"dg_scores": [{"model": "ω = 0", "silhouette_domain": 0.30}, {"model": "ω = 0.1", "silhouette_domain": 0.12}]}
    word, _ = _row("07_latent_explorer", "EASUM's premise", explorer)
    assert word == "yes", "the same silhouettes, the same verdict in both notebooks"
    claim = next(c for c in lessons.claims("07_latent_explorer") if c.claim.startswith("EASUM's premise"))
    assert "mixes the domains" in claim.claim and "Mixing is not invariance" in claim.claim, \
        "07 claims mixing, not invariance: 05's probe says the corpora stay apart"


def test_easum_table_4_and_the_eta_sweep_are_read_seed_by_seed():
    mae = {"L": [1.10, 1.12, 1.09], "LA": [0.90, 0.92, 0.91], "LV": [1.18, 1.17, 1.20], "LAV": [0.93, 0.95, 0.89]}
    runs = [{"domain": "mosi", "modalities": m, "seed": s, "value": v, "metric": "mae", "lower_is_better": True}
            for m, vs in mae.items() for s, v in enumerate(vs)]
    r = {"modality_runs": runs,
         "modality_ablation": [{"modalities": m, "metric": "mae", "mean": sum(vs) / len(vs)}
                               for m, vs in mae.items()]}
    assert _row("06_soft_label_ablation", "EASUM Table 4 (MAE): T+A+V beats text alone", r)[0] == "yes"
    # "grows with the addition of modalities": every added modality must help; adding V to T does not here
    assert _row("06_soft_label_ablation", "EASUM Table 4: the model \"grows", r)[0] == "no"
    assert _row("06_soft_label_ablation", "EASUM Table 4: \"the visual", r)[0] == "no"
    assert _row("06_soft_label_ablation", "EASUM Table 4: \"optimal", r)[0] == "no"
    f1 = {0.0: [0.50, 0.52, 0.51], 1.0: [0.49, 0.53, 0.50], 0.1: [0.50, 0.50, 0.50]}
    eta = [{"domain": "meld", "eta": e, "seed": s, "value": v, "metric": "weighted_f1", "lower_is_better": False,
            "paper_eta": 1.0} for e, vs in f1.items() for s, v in enumerate(vs)]
    word, text = _row("06_soft_label_ablation", "EASUM Sec. 4.4 sets eta", {"eta_runs": eta})
    assert word == "no" and "better on 1 of 3 seeds" in text
