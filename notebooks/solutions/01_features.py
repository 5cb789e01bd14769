"""Solutions to the exercises of notebook 01 (``tests/teach/test_solutions.py`` runs them)."""

import numpy as np

import affectkit
from affectkit.data.transforms import ZNorm
from affectkit.features import acoustic, lexical, sample_clip, visual


def exercise_1(profile="lab", seed=0):
    """Halve the waveform (a quieter recording of the same voice): the ratios quiet / original
    of the loudness mean (pcm_loudness_sma_amean) and of the pitch mean (F0final_sma_amean)."""
    signal, sr = acoustic.load_audio(sample_clip().audio)
    loud, quiet = acoustic.is10_table(acoustic.is10(signal, sr)), acoustic.is10_table(acoustic.is10(0.5 * signal, sr))
    ratio = (quiet.set_index("name")["value"] / loud.set_index("name")["value"])
    return float(ratio["pcm_loudness_sma_amean"]), float(ratio["F0final_sma_amean"])


def exercise_2(profile="lab", seed=0):
    """Keep one frame in 3: (kept frames, padding rows at n_faces = 18)."""
    track = visual.face_track(sample_clip().video, every=3)
    kept = len(track.crops)
    return kept, max(18 - kept, 0)


def exercise_3(profile="lab", seed=0):
    """One word, two sentences: the cosine similarity of the vectors of 'believe' in the
    clip's transcript (word 2) and in "I believe you." (word 1)."""
    embedder = lexical.WordEmbedder(cache_dir=False, progress=False)
    x, _ = embedder([sample_clip().text, "I believe you."])
    a, b = x[0, 2], x[1, 1]
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def exercise_4(profile="lab", seed=0):
    """Fit ZNorm on the test split instead of train: the largest |mean| of the test
    split's acoustic features afterwards (the leak makes the test look perfectly centred)."""
    world = affectkit.make_world(profile, seed=seed)
    test_z = ZNorm().fit(world.test).transform(world.test)
    return float(test_z.x["A"].mean(0).abs().max())
