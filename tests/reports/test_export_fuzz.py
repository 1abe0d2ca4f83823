"""Round trip of odd but legal content (unicode, commas, quotes, newlines, extreme numbers)
through both export formats, found by hypothesis rather than imagined."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reports.export import export_file, import_file
from reports.store import SessionStore
from scoring.events import Judgement, Tier
from scoring.parts import BODY_PARTS

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
# Names are one line of printable text: what both the store and the class server accept.
names = text.filter(lambda s: 0 < len(" ".join(s.split())) <= 64
                    and not any(ord(c) < 32 or ord(c) == 127 for c in " ".join(s.split())))
scores = st.floats(0, 100, allow_nan=False)
judgement = st.builds(
    Judgement, move_index=st.integers(0, 500), move_name=text, score=scores, tier=st.sampled_from(list(Tier)),
    parts=st.dictionaries(st.sampled_from(BODY_PARTS), scores, max_size=6),
    offset_s=st.floats(-5, 5, allow_nan=False), time_s=st.floats(0, 600, allow_nan=False),
    start_s=st.floats(0, 600, allow_nan=False), end_s=st.floats(0, 600, allow_nan=False),
    gold=st.booleans(), combo=st.integers(0, 10_000), tip=text,
)


# No shrinking in the suite (it can take minutes on 2 shared cores); run locally with
# more examples and shrinking to minimise a failure.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(player=names, group=st.none() | names, title=text, moves=st.lists(judgement, max_size=6))
def test_round_trip_of_anything(player: str, group: str | None, title: str, moves: list[Judgement]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        with SessionStore.open(d / "a.db") as a:
            sid = a.start_session(player=player, group=group, choreography=title)
            for j in moves:
                a.record_judgement(sid, j)
            a.finish_session(sid, total=50.0, stars=2)
            want = [(s.player, s.group, s.choreography, s.total, [
                (j.move_index, j.move_name, j.score, j.tier, j.parts, j.offset_s, j.gold, j.combo, j.tip, j.extra)
                for j in a.judgements(s.id)]) for s in a.sessions()]
            for fmt in ("json", "csv"):
                f = d / f"e.{fmt}"
                export_file(a, f)
                with SessionStore.open(d / f"{fmt}.db") as b:
                    assert import_file(b, f).sessions_added == 1
                    got = [(s.player, s.group, s.choreography, s.total, [
                        (j.move_index, j.move_name, j.score, j.tier, j.parts, j.offset_s, j.gold, j.combo, j.tip, j.extra)
                        for j in b.judgements(s.id)]) for s in b.sessions()]
                    assert got == want, fmt
