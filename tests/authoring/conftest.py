"""Fixtures for the authoring tests: real sample footage, and the CLI run in-process."""
from __future__ import annotations

import argparse
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from pose.errors import DanceError

REPO = Path(__file__).resolve().parents[2]
SAMPLE = "Demo_SinglePerson/cam01.mp4"


def _run_cli(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    """Run an authoring subcommand the way game.cli.main does: (exit code, stdout, stderr).

    Only the authoring commands are registered, so other packages' work in progress cannot
    break these tests; test_cli_entry_point runs the real console script once.
    """
    from authoring.cli import register

    parser = argparse.ArgumentParser(prog="dance")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
    except DanceError as e:
        print(f"dance {args.command}: error: {e}", file=__import__("sys").stderr)
        code = e.exit_code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="session")
def sample_video() -> Path:
    from pose.samples import sample_path

    try:
        return sample_path(SAMPLE)
    except DanceError as e:  # the cache is filled by `make setup` (dance samples fetch)
        pytest.skip(str(e))


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def write_sine_wav(path: Path, seconds: float, freq_hz: float = 440.0, rate: int = 44100) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.4 * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


@pytest.fixture(scope="session")
def video_with_audio(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 0.5 s of the sample (30 frames, scaled down) with a 440 Hz tone muxed in."""
    d = tmp_path_factory.mktemp("av")
    wav = write_sine_wav(d / "tone.wav", 1.0)
    out = d / "coach_with_music.mp4"
    subprocess.run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(sample_video), "-i", str(wav),
                    "-frames:v", "30", "-vf", "scale=360:640", "-c:v", "libx264", "-preset", "ultrafast",
                    "-c:a", "aac", "-t", "0.5", str(out)], check=True)
    return out


def _decode_pcm(path: Path, rate: int = 22050) -> np.ndarray:
    """Mono float PCM of any media file's first audio stream, through ffmpeg."""
    raw = subprocess.run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-vn", "-ac", "1",
                          "-ar", str(rate), "-f", "s16le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, "<i2").astype(np.float64) / 32768.0


@pytest.fixture
def cli(capsys: pytest.CaptureFixture):
    """cli(["validate", path]) -> (exit code, stdout, stderr)."""
    return lambda argv: _run_cli(argv, capsys)


@pytest.fixture
def decode_pcm():
    """decode_pcm(path, rate=22050) -> mono float PCM of the file's audio."""
    return _decode_pcm
