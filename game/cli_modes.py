"""``dance modes``: the game modes this install can play, with their songs."""
from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("modes", help="list the game modes (built in and from installed packages)",
                       description="List the game modes, the camera pipelines each runs, and their songs.")
    p.add_argument("--json", action="store_true", help="machine-readable list on stdout")
    p.set_defaults(func=run_modes)


def run_modes(args: argparse.Namespace) -> int:
    from game.modes import available, broken
    from game.scenes.context import find_choreographies

    songs = find_choreographies()
    modes = available()
    rows = []
    for m in modes.values():
        mine = m.songs(songs)
        rows.append({"name": m.name, "title": m.title, "pipelines": list(m.pipelines),
                     "songs": [str(p) for p in mine], "tagline": m.tagline})
    if args.json:
        print(json.dumps({"modes": rows, "broken": broken()}, indent=2))
        return 0
    for r in rows:
        print(f"{r['name']:12} {r['title']:14} pipelines: {', '.join(r['pipelines']):22} "
              f"{len(r['songs'])} song{'s' if len(r['songs']) != 1 else ''}  {r['tagline']}")
        for s in r["songs"]:
            print(f"{'':14}{s}")
    for name, why in broken().items():
        print(f"{name:12} (cannot load: {why})")
    return 0
