import numpy as np
import pytest

from affectkit.data.labels import (
    EASUM9,
    IEMOCAP4,
    IEMOCAP6,
    MELD7,
    LabelSpace,
    merge_iemocap4,
    polarity,
    round7,
)


def test_spaces():
    assert IEMOCAP4.classes == ("neutral", "happy", "angry", "sad")
    assert MELD7.classes == ("neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger")
    assert IEMOCAP6.classes == ("happy", "sad", "neutral", "angry", "excited", "frustrated")
    assert EASUM9 == ("happy", "angry", "sad", "neutral", "excited", "frustrated", "fear", "disgust", "surprise")


def test_encode_decode_and_unknown_labels():
    idx = MELD7.encode(["joy", "anger", "neutral"])
    assert idx.tolist() == [4, 6, 0]
    assert MELD7.decode(idx) == ["joy", "anger", "neutral"]
    assert MELD7.decode([-1]) == [None]
    with pytest.raises(ValueError, match="unknown MELD-7 labels \\['happy'\\]"):
        MELD7.encode(["joy", "happy"])
    with pytest.raises(ValueError, match="outside"):
        MELD7.decode([7])


def test_every_corpus_maps_into_the_common_space():
    common = MELD7.to_common(np.arange(7))
    assert [EASUM9[i] for i in common] == ["neutral", "surprise", "fear", "sad", "happy", "disgust", "angry"]
    assert [EASUM9[i] for i in IEMOCAP6.to_common(np.arange(6))] == list(IEMOCAP6.classes)
    assert IEMOCAP4.to_common([-1, 1]).tolist() == [-1, EASUM9.index("happy")]
    odd = LabelSpace("odd", ("happy", "bored"), {"happy": "happy", "bored": "boredom"})
    with pytest.raises(ValueError, match=r"odd: classes \['bored'\] have no place in the common space"):
        odd.to_common([0, 1])


def test_iemocap_four_class_merge():
    # hap sad neu ang exc fru -> happy sad neutral angry happy dropped
    merged = merge_iemocap4(np.arange(6))
    assert [IEMOCAP4.classes[i] if i >= 0 else None for i in merged] == \
        ["happy", "sad", "neutral", "angry", "happy", None]
    with pytest.raises(ValueError, match="0..5"):
        merge_iemocap4([6])
    with pytest.raises(TypeError, match="integers"):
        merge_iemocap4([0.5])


def test_polarity_and_round7():
    s = np.array([-3.0, -0.4, 0.0, 1 / 3, 2.6, 3.4])
    assert polarity(s).tolist() == [0, 0, 1, 2, 2, 2]
    assert round7(s).tolist() == [-3, 0, 0, 0, 3, 3]
    with pytest.raises(ValueError, match="NaN"):
        polarity([np.nan])
