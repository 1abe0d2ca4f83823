"""Protected bundles (AES-256-GCM) and Ed25519 licences on real models, with throwaway keys.

Keys are generated per test session; the player's built-in public key is replaced through
the documented development override, DANCE_LICENCE_PUBKEY (pose/licence.py).
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from pose import licence, protect, runtime
from pose.errors import DanceError
from pose.licence import LicenceError
from pose.protect import BundleError

SMALL = (("face_detection_short_range", "float"), ("selfie_segmentation", "float"))
TOMORROW = dt.date.today() + dt.timedelta(days=1)


@pytest.fixture(scope="module")
def keys():
    from cryptography.hazmat.primitives.asymmetric import ed25519

    priv = ed25519.Ed25519PrivateKey.generate()
    return priv, licence.public_hex(priv)


@pytest.fixture
def trust(keys, monkeypatch):
    monkeypatch.setenv(licence.PUBKEY_ENV, keys[1])
    yield keys[0]
    runtime.use_source(None)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "small.dsb"
    return protect.pack(SMALL, out)


def _licence(tmp_path, priv, res, name="lic.json", **kw) -> "Path":
    args = dict(licensee="Test Studio", expires=TOMORROW, modes=("dance",), models=("*",),
                bundle_sha256=res.sha256, bundle_key=res.key)
    args.update(kw)
    p = tmp_path / name
    p.write_bytes(licence.issue(priv, **args))
    return p


def _one_line(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg and isinstance(e.value, DanceError)
    return msg


def test_bundle_round_trip_runs_models_from_memory(bundle, trust, tmp_path):
    lic = _licence(tmp_path, trust, bundle)
    src = protect.activate(bundle.path, lic)
    assert set(src.names) == {f"{n}/{p}" for n, p in SMALL}
    m = runtime.Model("face_detection_short_range", threads=1)
    plain = runtime.Model("face_detection_short_range", threads=1,
                          data=runtime.read_model_bytes("face_detection_short_range"))
    x = np.random.default_rng(1).random(m.input_shape(), np.float32)
    a, b = m.run(x), plain.run(x)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    # The bundle holds no plaintext model bytes.
    blob = bundle.path.read_bytes()
    raw = runtime.read_model_bytes("face_detection_short_range")
    assert raw[1000:1064] not in blob and raw[-4096:-4032] not in blob


def test_flipped_byte_in_bundle(bundle, trust, tmp_path):
    lic = _licence(tmp_path, trust, bundle)
    blob = bytearray(bundle.path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    bad = tmp_path / "flipped.dsb"
    bad.write_bytes(bytes(blob))
    with pytest.raises(BundleError) as e:
        protect.open_protected(bad, lic)
    assert "damaged" in _one_line(e) and "studio" in str(e.value)


def test_wrong_key(bundle, trust, tmp_path):
    lic = _licence(tmp_path, trust, bundle, bundle_key=bytes(32))
    with pytest.raises(LicenceError) as e:
        protect.open_protected(bundle.path, lic)
    assert "wrong key" in _one_line(e)


def test_expired_licence(bundle, trust, tmp_path):
    lic = _licence(tmp_path, trust, bundle, expires=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(LicenceError) as e:
        protect.open_protected(bundle.path, lic)
    assert "expired on" in _one_line(e) and "studio" in str(e.value)


@pytest.mark.parametrize("field, value", [("expires", "2999-01-01"), ("modes", ["*"]),
                                          ("licensee", "Someone Else")])
def test_tampered_licence(bundle, trust, tmp_path, field, value):
    lic = _licence(tmp_path, trust, bundle)
    doc = json.loads(lic.read_text())
    doc["licence"][field] = value
    lic.write_text(json.dumps(doc))
    with pytest.raises(LicenceError) as e:
        licence.verify(lic)
    assert "not signed by this player's studio key" in _one_line(e)


def test_licence_from_another_studio_key_is_refused_by_the_built_in_key(bundle, keys, tmp_path, monkeypatch):
    monkeypatch.delenv(licence.PUBKEY_ENV, raising=False)
    lic = _licence(tmp_path, keys[0], bundle)
    with pytest.raises(LicenceError) as e:
        licence.verify(lic)
    assert "not signed" in _one_line(e)


def test_release_build_refuses_the_override(bundle, trust, tmp_path, monkeypatch):
    monkeypatch.setattr(licence, "ALLOW_PUBKEY_OVERRIDE", False)
    lic = _licence(tmp_path, trust, bundle)
    with pytest.raises(LicenceError) as e:
        licence.verify(lic)
    assert "release build" in _one_line(e)


def test_mode_and_model_not_allowed(bundle, trust, tmp_path):
    lic = _licence(tmp_path, trust, bundle, modes=("freeze",), models=("selfie_segmentation",))
    src = protect.activate(bundle.path, lic)
    with pytest.raises(LicenceError) as e:
        src.licence.check_mode("dance")
    assert "does not allow mode 'dance'" in _one_line(e)
    with pytest.raises(LicenceError) as e:
        runtime.Model("face_detection_short_range")
    assert "does not allow model 'face_detection_short_range'" in _one_line(e)
    runtime.Model("selfie_segmentation", threads=1)  # the allowed one loads


def test_model_not_in_bundle(bundle, trust, tmp_path):
    protect.activate(bundle.path, _licence(tmp_path, trust, bundle))
    with pytest.raises(DanceError) as e:
        runtime.Model("pose_detection")
    assert "has no float pose_detection" in _one_line(e)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "missing"])
def test_unreadable_files_are_one_line(bundle, trust, tmp_path, damage):
    lic = _licence(tmp_path, trust, bundle)
    if damage == "missing":
        with pytest.raises(DanceError) as e:
            protect.open_protected(tmp_path / "nope.dsb", lic)
        assert "does not exist" in _one_line(e)
        with pytest.raises(DanceError) as e:
            licence.verify(tmp_path / "nope.json")
        assert "does not exist" in _one_line(e)
        return
    bad_lic = tmp_path / "bad.json"
    bad_lic.write_bytes(lic.read_bytes()[:40] if damage == "truncate" else b"\x00\xff" * 50)
    with pytest.raises(LicenceError) as e:
        licence.verify(bad_lic)
    _one_line(e)


def test_model_options_need_both_bundle_and_licence(bundle, tmp_path, monkeypatch):
    import argparse

    from pose.cli_options import add_model_options, apply_model_options

    monkeypatch.delenv("DANCE_BUNDLE", raising=False)
    monkeypatch.delenv("DANCE_LICENCE", raising=False)
    p = argparse.ArgumentParser()
    add_model_options(p)
    with pytest.raises(DanceError) as e:
        apply_model_options(p.parse_args(["--bundle", str(bundle.path)]))
    assert "--licence (or DANCE_LICENCE) is missing" in _one_line(e)
    try:
        apply_model_options(p.parse_args(["--precision", "fp16"]))
        assert runtime.default_precision() == "fp16"
    finally:
        runtime.set_default_precision(None)
    with pytest.raises(SystemExit):  # argparse's own usage error for an unknown precision
        p.parse_args(["--precision", "int3"])
