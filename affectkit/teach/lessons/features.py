"""Notebook 01: from raw media to features."""

from . import Claim, Exercise
from ._checks import number, pair
from ._text import ASSERTED

NOTEBOOK = "01_features"
TITLE = "Real media to features"
# the sample clip is the same in every profile: 4.7 s of speech, 118 frames
SHAPES = {"A": [1582], "V": [18, 1764], "L": [22, 384]}
PADDING = {"words": 14, "kept_of_12": 12, "kept_of_30": 14}


def _is10_parts(r) -> str:
    parts = r.get("is10_parts")
    if not parts:
        return ""
    return f" ({parts['contours']} contours and their deltas, up to {parts['functionals']} functionals each)"


CLAIMS = [
    Claim("CMDM Sec. 3.1: openSMILE's IS10 configuration gives 1,582 acoustic values per utterance",
          lambda r: f"this clip: {r['shapes']['A'][0]} values{_is10_parts(r)}",
          lambda r: r["shapes"]["A"] == [1582], smoke=True),
    Claim("CMDM Table 3: 18 faces and 22 words per utterance after padding",
          lambda r: f"V {r['shapes']['V'][0]} x {r['shapes']['V'][1]}, L {r['shapes']['L'][0]} x {r['shapes']['L'][1]}",
          lambda r: r["shapes"]["V"][0] == 18 and r["shapes"]["L"][0] == 22, smoke=True),
    Claim("CMDM Sec. 3.1: z-normalise each feature dimension (the kit: with the train split's statistics)",
          lambda r: f"train |mean| <= {r['znorm']['train_mean']:.1e}, std {r['znorm']['train_std']:.3f}; "
                    f"test keeps an offset up to {r['znorm']['test_mean']:.3f}",
          lambda r: r["znorm"]["train_mean"] < 1e-4 and abs(r["znorm"]["train_std"] - 1) < 1e-3, smoke=True),
    Claim("The kit's check: fit on train only, ZNorm leaves the test split its own offset (between 0.01 and 1)",
          lambda r: f"test |mean| up to {r['znorm']['test_mean']:.3f}",
          lambda r: 0.01 < r["znorm"]["test_mean"] < 1.0, shown=False),
]


def sidecar(r, need, profile):
    need(r["shapes"] == SHAPES, f"the sample clip's shapes are {SHAPES}, got {r['shapes']}")
    need(r["padding"] == PADDING, f"the sample clip's padding is {PADDING}, got {r['padding']}")


def readme(r) -> list:
    s = r["shapes"]
    return [f"the sample clip gives A {s['A'][0]} (IS10), V {s['V'][0]} x {s['V'][1]} (HOG faces), "
            f"L {s['L'][0]} x {s['L'][1]} (MiniLM word vectors) {ASSERTED}"]


def _quieter(answer, profile):
    # the same clip at every profile, so even smoke sizes can judge it
    values, bad = pair(answer, ("the loudness ratio", "the pitch ratio"))
    if bad:
        return bad
    loud, pitch = values
    if not 0.98 <= pitch <= 1.02:
        return False, (f"pitch ratio {pitch:.3f}: halving the amplitude does not change how fast the voice "
                       "vibrates; divide F0final_sma_amean of the quiet clip by the original's")
    if not 0.55 <= loud <= 0.75:
        return False, (f"loudness ratio {loud:.3f}: expected about 0.66 (openSMILE's loudness is the intensity "
                       "to the power 0.3, and the intensity goes with the square of the amplitude: 0.5 ** 0.6); "
                       "divide pcm_loudness_sma_amean of the quiet clip by the original's")
    return True, (f"loudness x {loud:.2f}, pitch x {pitch:.3f}: the loudness follows the recording level, the "
                  "pitch does not, so a loud microphone looks like an aroused speaker unless features are "
                  "normalised per recording or speaker")


def _frames(answer, profile):
    from ...features import sample_clip, visual

    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, "give a pair: (kept frames, padding rows at n_faces = 18)"
    for a in answer:
        v, bad = number(a, "a count of frames or rows")
        if bad:
            return bad
    kept = len(visual.face_track(sample_clip().video, every=3).crops)
    want = (kept, max(18 - kept, 0))
    if tuple(int(a) for a in answer) == want:
        return True, f"{kept} frames kept; more than 18, so the sequence is cut and nothing is padded"
    if int(answer[0]) != kept:
        return False, f"count the crops of visual.face_track(clip.video, every=3): not {answer[0]}"
    return False, "padding rows = max(18 - kept, 0): a longer sequence is cut, not padded"


def _context(answer, profile):
    v, bad = number(answer, "the cosine similarity of the two vectors of 'believe'")
    if bad:
        return bad
    if not -1 <= v <= 1:
        return False, f"a cosine similarity lies in [-1, 1], got {v}"
    if v > 0.99:
        return False, (f"{v:.3f}: that is one vector compared with itself; embed 'I believe you.' and take its "
                       "second word (index 1), the clip's transcript and its third word (index 2)")
    if v < 0.3:
        return False, (f"{v:.3f}: too low for the same word; check the word indices: 'believe' is word 2 of the "
                       "transcript and word 1 of 'I believe you.' (counting from 0)")
    return True, (f"{v:.2f}: similar but not the same vector: the encoder reads each word in its sentence, so "
                  "one word gets another vector in another context")


def _leak(answer, profile):
    v, bad = number(answer, "the largest |mean| of the test features after ZNorm fit on test")
    if bad:
        return bad
    if v < 1e-4:
        return True, ("fit on the test split, the test split is perfectly centred: its own statistics leaked "
                      "into the model's input, and a reported test score would be optimistic")
    return False, f"{v:.3g}: fit ZNorm on world.test and transform world.test; the means should vanish"


EXERCISES = {
    1: Exercise(_quieter, "(loudness ratio, pitch ratio): the loudness falls to about two thirds, the pitch stays"),
    2: Exercise(_frames, "(kept frames, padding rows): every = 3 keeps more than 18 frames, so no padding"),
    3: Exercise(_context, "a cosine similarity clearly below 1: one word, two contexts, two vectors"),
    4: Exercise(_leak, "a number close to 0: the test split centred on its own statistics"),
}
