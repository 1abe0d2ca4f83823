"""Sample footage of real people moving, for tests and benchmarks.

Extracted from pinned wheels into ``paths.samples_dir()``: pose2sim (four synchronised
views of one person, and of two people; BSD-3-Clause) and sports2d (its 30 fps demo of a
person walking and turning across the frame; BSD-3-Clause).
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
)}


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
