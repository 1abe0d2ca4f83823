"""The broken-choreography corpus: every file fails with exactly these messages, in order.

Each YAML in broken_choreos/ names its problem; the media it refers to (a real 40-frame
mp4, matching and mismatching pose tracks, a symlink out of the folder...) is made by
``make_corpus_folder``. Messages are compared whole, with line and column, so a change
in wording or position is a deliberate decision, not an accident.
"""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from content.loader import ChoreographyError, load_choreography

HERE = Path(__file__).parent
CORPUS = HERE / "broken_choreos"
_spec = importlib.util.spec_from_file_location("choreo_helpers", HERE / "choreo_helpers.py")
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

# file stem -> the errors, as "line:col: path: message"
EXPECTED: dict[str, list[str]] = {
    "path_and_choice_not_text": ['6:8: cover: must be a file path (text), got 2024', '8:13: difficulty: must be one of easy, normal, hard, got 3'],
    "audio_not_audio": ['5:8: audio: notaudio.ogg: not a media file ffmpeg can read'],
    "audio_too_short": ['14:12: moves[1].end_s: ends at 1.50 s, past the end of the audio (1.20 s)'],
    "control_character": ['3:14: YAML syntax error: special characters are not allowed (character U+0007)'],
    "overlap_with_audio": ["13:12: moves[1].start: overlaps moves[0] 'One' (it ends at 1.00 s, this move starts at 0.50 s)"],
    "beats_negative": ['11:12: moves[0].beats: must be > 0, got -2'],
    "beats_string": ["11:12: moves[0].beats: must be a number, got 'two'"],
    "bpm_bad_int_tag": ["6:6: bpm: 'fast' is not a valid int"],
    "bpm_bool": ['6:6: bpm: must be a number, got yes'],
    "bpm_nan": ['6:6: bpm: must be a finite number, got .nan'],
    "bpm_zero": ['6:6: bpm: must be > 0, got 0'],
    "difficulty_unknown": ["8:13: difficulty: must be one of easy, normal, hard, got 'hardd'; did you mean 'hard'?"],
    "duplicate_key": ['7:1: bpm: duplicate key (first given at line 6)'],
    "empty_document": ['1:1: file is empty; a choreography is a mapping with format, title, pose_track, bpm and moves'],
    "format_float": ['2:9: format: must be a whole number, got 1.5'],
    "format_newer": ['2:9: format: format 2 is newer than this program reads (format 1); update DanceStudio'],
    "format_string": ["2:9: format: must be a whole number, got '1'"],
    "key_not_a_name": ['8:3: keys must be plain names, got a list'],
    "many_errors": ['6:6: bpm: must be > 0, got -5', "7:1: offst: unknown key 'offst'; did you mean 'offset'?", '12:12: moves[0].beats: must be > 0, got 0', "13:23: moves[0].parts[1]: body part 'left_arm' is listed twice", '15:14: moves[1].start_s: must be a finite number, got .nan', "17:11: moves[1].gold: must be true or false, got 'maybe'"],
    "merge_key": ["2:1: defaults: unknown key 'defaults' (known keys: format, title, mode, artist, video, audio, pose_track, cover, bpm, offset, mirror, difficulty, stage, moves)", '14:5: moves[0]: merge keys (<<) are not supported; write the keys out'],
    "mirror_not_bool": ["8:9: mirror: must be true or false, got 'sometimes'"],
    "missing_required": ["2:1: missing required key 'title'", "2:1: missing required key 'bpm'"],
    "move_before_media": ['10:12: moves[0].start: starts at -1.00 s, before the media begins'],
    "move_end_and_duration": ['15:17: moves[1].duration_s: give end_s or duration_s, not both'],
    "move_end_before_start": ['14:12: moves[1].end_s: must be > start_s (1.5), got 1.2'],
    "move_missing_beats": ["12:5: moves[1]: missing required key 'beats' (beat timing needs start and beats)"],
    "move_missing_name": ["12:5: moves[1]: missing required key 'name'"],
    "move_mixed_timing": ['14:14: moves[1].start_s: mixes beat timing (start, beats) with seconds (start_s); use one'],
    "move_no_timing": ['12:5: moves[1]: needs a time: start + beats (in beats) or start_s + end_s or duration_s (in seconds)'],
    "move_not_mapping": ["12:5: moves[1]: must be a mapping (name, start, beats, ...), got 'Two'"],
    "move_past_end": ['14:12: moves[1].beats: ends at 3.00 s, past the end of the media (2.00 s)'],
    "moves_empty": ['8:8: moves: must list at least one move'],
    "moves_not_list": ["8:8: moves: must be a list of moves, got 'lots'"],
    "moves_overlap": ["13:12: moves[1].start: overlaps moves[0] 'One' (it ends at 1.00 s, this move starts at 0.50 s)"],
    "moves_overlap_seconds": ["13:14: moves[1].start_s: overlaps moves[0] 'One' (it ends at 1.00 s, this move starts at 0.90 s)"],
    "offset_inf": ['7:9: offset: must be a finite number, got -.inf'],
    "parts_all_zero": ['12:12: moves[0].parts: at least one body part needs a weight > 0'],
    "parts_duplicate": ["12:19: moves[0].parts[1]: body part 'head' is listed twice"],
    "parts_empty": ['12:12: moves[0].parts: must list at least one body part (or leave parts out: all count)'],
    "parts_scalar": ["12:12: moves[0].parts: must be a list of body parts or a mapping part: weight, got 'arms'"],
    "parts_unknown": ["12:23: moves[0].parts[1]: unknown body part 'rigth_arm'; did you mean 'right_arm'?"],
    "parts_weight_negative": ['12:37: moves[0].parts.right_arm: must be >= 0, got -1'],
    "path_absolute": ["4:8: video: must be a path relative to this file's folder, not an absolute path"],
    "path_backslash": ["8:8: cover: use '/' between folders, not '\\'"],
    "path_dotdot": ["5:13: pose_track: must stay inside this file's folder (no '..')"],
    "path_is_folder": ["12:16: moves[0].pictogram: 'sub' is not a file"],
    "path_missing_file": ["4:8: video: file not found: clip.mp5; did you mean 'clip.mp4'?"],
    "path_symlink_escape": ["8:8: cover: 'escape.png' leads outside this file's folder (through a symbolic link)"],
    "root_is_list": ['2:1: must be a mapping of keys (format, title, ...), got a list'],
    "syntax_tab_indent": ["11:1: YAML syntax error: a tab character: YAML indents with spaces only; replace the tab with spaces"],
    "syntax_unclosed_flow": ["13:1: YAML syntax error: a '[' opened at line 12, column 12 is never closed with ']'"],
    "tag_custom": ['9:11: tag !coach is not allowed (only plain YAML values)'],
    "tag_python_object": ['3:8: tag !!python/object/apply:os.system is not allowed (only plain YAML values)'],
    "title_empty": ['3:8: title: must not be empty'],
    "title_mapping": ['3:8: title: must be text, got a mapping'],
    "track_not_a_track": ['5:13: pose_track: not a pose track (.npz from dance track); re-make it with dance track'],
    "track_too_short": ['5:13: pose_track: pose track has 30 frames but the video has 40; re-run: dance track clip.mp4 -o short.npz'],
    "track_wrong_fps": ['5:13: pose_track: pose track is at 25 fps but the video is at 20 fps'],
    "two_documents": ["12:1: YAML syntax error: only one YAML document is allowed (found a second '---')"],
    "unknown_key_move": ["11:5: moves[0].beat: unknown key 'beat'; did you mean 'beats'?"],
    "unknown_key_no_suggestion": ["8:1: colour: unknown key 'colour' (known keys: format, title, mode, artist, video, audio, pose_track, cover, bpm, offset, mirror, difficulty, stage, moves)"],
    "unknown_key_top": ["6:1: bmp: unknown key 'bmp'; did you mean 'bpm'?"],
    "video_not_a_video": ['4:8: video: cannot be read as a video: notavideo.mp4'],
}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = helpers.make_corpus_folder(tmp_path_factory.mktemp("corpus") / "choreo")
    for f in CORPUS.glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    return folder


def test_corpus_is_large_and_fully_specified() -> None:
    stems = {f.stem for f in CORPUS.glob("*.yaml")}
    assert len(stems) >= 30
    assert stems == set(EXPECTED), "every corpus file needs an expectation and vice versa"


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_broken_choreography_reports_exact_errors(corpus_dir: Path, stem: str) -> None:
    path = corpus_dir / f"{stem}.yaml"
    with pytest.raises(ChoreographyError) as info:
        load_choreography(path)
    got = [str(d).removeprefix(f"{path}:").lstrip() for d in info.value.errors]
    assert got == EXPECTED[stem]
    # One line for the CLI, naming the file and every error.
    message = str(info.value)
    assert "\n" not in message
    assert all(f"{path}:{e}" in message or f"{path}: {e}" in message for e in EXPECTED[stem])
