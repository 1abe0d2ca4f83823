"""Results: stars (popping in one by one), the points, tier counts, best moves and one kind,
specific tip. Enter / Esc / a click go back to the title; headless runs end here.

After a dance, "Practise it!" under the tip practises the weakest move (broken down: slowed,
chained, then at full speed), and "Drill tricky moves" practises the moves this child keeps
missing across recent sessions; M, pointing at them, or a swipe to them and a thumbs up
start them.

After "Just watch" nothing was scored, so the screen says what was watched and how to
dance along next time: no points, no stars, no "missed"."""
from __future__ import annotations

import math

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme
from scoring.events import Tier
from scoring.judge import TIER_LABELS

STAR_EVERY_S = 0.35
HEADLESS_SHOW_S = 2.5
TIER_ORDER = ("PERFECT", "GREAT", "GOOD", "OK", "MISS")
CHEERS = ("Nice try!", "Good job!", "Great dancing!", "Super star!", "Amazing!", "Dance champion!")


class ResultsScene(Scene):
    def __init__(self, app, game, result, choreo, *, watched: bool = False) -> None:
        super().__init__(app)
        self.game = game
        self.result = result
        self.choreo = choreo
        self.watched = watched
        self.time_s = 0.0
        self.fx = None
        w, h = app.size_px
        label = "Back to the dances" if watched else "Yay! Again"
        self.done = theme.Button(label, pygame.Rect(w // 2 - 200, h - 132, 400, 88), theme.PINK, True)
        self._fired = 0
        self.weakest = None if watched else weakest_move(result, choreo)
        self.practise_button = None
        if self.weakest is not None:
            self.practise_button = theme.Button("Practise it!", pygame.Rect(w - 400, 300 + 280 - 82, 300, 54),
                                                theme.MINT)
        self.drill_button = None
        if not watched and getattr(choreo, "mode", "dance") == "dance" and self._has_tricky():
            self.drill_button = theme.Button("Drill tricky moves", pygame.Rect(40, h - 124, 340, 72), theme.SKY)
        self.buttons = [b for b in (self.done, self.practise_button, self.drill_button) if b is not None]

    def _has_tricky(self) -> bool:
        player = self.game.config.player
        if not player or not self.game.config.use_store:
            return False
        from reports.analysis import tricky_moves
        from reports.store import SessionStore, StoreError

        try:
            with SessionStore.open(self.game.config.store_path, create=False) as store:
                return bool(tricky_moves(store, player))
        except StoreError:
            return False

    def targets(self) -> list:
        return list(self.buttons)

    def _focus(self, step: int) -> None:
        i = next((k for k, b in enumerate(self.buttons) if b.focused), 0)
        for b in self.buttons:
            b.focused = False
        self.buttons[(i + step) % len(self.buttons)].focused = True

    def press(self, button) -> None:
        if button is self.practise_button:
            self.practise_weakest()
        elif button is self.drill_button:
            self.drill()
        else:
            self.app.pop()

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK:
            self.app.pop()
        elif a.action in (Action.LEFT, Action.RIGHT, Action.NEXT, Action.UP, Action.DOWN):
            self._focus(-1 if a.action in (Action.LEFT, Action.UP) else 1)
        elif a.action is Action.PRACTICE and self.practise_button is not None:
            self.practise_weakest()
        elif a.action is Action.SELECT and a.pos_px is not None:
            if a.target in self.buttons:
                self.press(a.target)
        elif a.action in (Action.YES, Action.SELECT):
            self.press(next((b for b in self.buttons if b.focused), self.done))

    def practise_weakest(self) -> None:
        """The weakest move of this dance, broken down at half speed."""
        from game.practice.playlist import for_move
        from game.practice.scene import start_practice

        number = self.weakest[0]
        start_practice(self.app, self.game, for_move(self.choreo.path, len(self.choreo.moves), number, 0.5))

    def drill(self) -> None:
        """The child's tricky moves from the store, each alone at half speed."""
        from game.practice.playlist import tricky
        from game.practice.scene import start_practice
        from pose.errors import DanceError

        try:
            steps = tricky(self.game.config.player, self.game.config.store_path, 0.5,
                           known=list(self.game.config.choreographies))
        except DanceError:
            self.drill_button = None  # nothing to drill after all (e.g. the dances moved)
            self.buttons = [b for b in self.buttons if b is not None and b.label != "Drill tricky moves"]
            return
        start_practice(self.app, self.game, steps)

    def update(self, dt_s: float) -> None:
        from game.particles import ParticleSystem
        from scoring.events import Tier

        self.time_s += dt_s
        if self.fx is None:
            self.fx = ParticleSystem(seed=3 if self.app.headless else None)
        # Each star that lands throws a little confetti.
        landed = 0 if self.watched else min(self.result.stars, int(self.time_s / STAR_EVERY_S))
        w, _ = self.app.size_px
        while self._fired < landed:
            x = w // 2 - 2 * 90 + self._fired * 90
            self.fx.burst(Tier.PERFECT if self._fired == 4 else Tier.GREAT, False, (x, 170))
            self._fired += 1
        self.fx.update(dt_s)
        if self.app.headless and self.time_s >= HEADLESS_SHOW_S:
            self.app.quit(0)

    def draw(self, screen, alpha: float) -> None:
        if self.watched:
            self._draw_watched(screen)
            return
        r = self.result
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        cheer = CHEERS[max(0, min(len(CHEERS) - 1, int(r.stars)))]
        theme.text(screen, cheer, 88, theme.SUN, (w // 2, 70 + 5 * math.sin(t * 3)), outline_px=4)
        for i in range(5):
            landed = i < r.stars and t >= (i + 1) * STAR_EVERY_S
            k = min(1.0, (t - (i + 1) * STAR_EVERY_S) / 0.25) if landed else 1.0
            radius = 44 * (1.6 - 0.6 * k) if landed else 40
            theme.star(screen, (w // 2 - 180 + i * 90, 170), radius, theme.SUN if landed else (120, 100, 170),
                       filled=True, spin_rad=(1 - k) * 2.0)
        from scoring.judge import format_points

        stopped = r.stopped_at_s is not None
        theme.text(screen, f"{format_points(r.points)} points", 60, theme.WHITE, (w // 2, 240 if stopped else 255),
                   outline_px=3)
        if stopped:
            theme.text(screen, f"Stopped early: {len(r.judgements)} of {len(self.choreo.moves)} moves danced", 26,
                       theme.SUN, (w // 2, 282), outline_px=1)
        self._tiers(screen, pygame.Rect(60, 300, 380, 280))
        self._best(screen, pygame.Rect(w // 2 - 190, 300, 380, 280))
        self._tip(screen, pygame.Rect(w - 440, 300, 380, 280))
        for b in self.buttons:
            b.draw(screen, t)
        self._keys(screen)
        if self.fx is not None:
            self.fx.draw(screen)
        if t >= min(HEADLESS_SHOW_S - 0.2, (r.stars + 1) * STAR_EVERY_S + 0.3):
            self.game.shot(self.app, "6_results")

    def _keys(self, screen) -> None:
        w, h = screen.get_size()
        keys = "Enter  or  Esc   back to the dances"
        if self.practise_button is not None or self.drill_button is not None:
            keys = "< >  choose    Enter  press    M  practise that move    Esc  back to the dances"
        theme.text(screen, keys, 26, (230, 220, 255), (w // 2, h - 22), shadow=False)

    def _draw_watched(self, screen) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        theme.text(screen, "That was the dance!", 84, theme.SUN, (w // 2, 110 + 5 * math.sin(t * 3)), outline_px=4)
        title = self.choreo.title or "the dance"
        theme.text(screen, f"You watched {title}.", theme.fit(f"You watched {title}.", 48, w - 120), theme.WHITE,
                   (w // 2, 220), outline_px=2)
        card = pygame.Rect(w // 2 - 420, 280, 840, 230)
        theme.panel(screen, card, alpha=230, radius_px=28, border=theme.MINT, border_px=5)
        theme.text(screen, "Want to dance along and earn stars?", 38, theme.PINK, (card.centerx, card.y + 44), shadow=False)
        lines = ("Ask a grown-up to plug in a camera,", "then pick the dance again and step into the picture!")
        for i, ln in enumerate(lines):
            theme.text(screen, ln, 32, theme.INK, (card.centerx, card.y + 110 + i * 44), shadow=False)
        self.done.draw(screen, t)
        self._keys(screen)
        if t >= 0.5:
            self.game.shot(self.app, "6_results_watched")

    def _tiers(self, screen, rect) -> None:
        theme.panel(screen, rect, alpha=230, radius_px=28)
        theme.text(screen, "Your moves", 36, theme.PINK, (rect.centerx, rect.y + 30), shadow=False)
        counts = self.result.tier_counts
        for i, name in enumerate(TIER_ORDER):
            y = rect.y + 72 + i * 40
            pill = pygame.Rect(rect.x + 24, y - 16, 170, 32)
            pygame.draw.rect(screen, theme.TIER_COLOURS[name], pill, border_radius=16)
            theme.text(screen, TIER_LABELS[Tier[name]], 26, theme.INK, pill.center, shadow=False)
            theme.text(screen, str(counts.get(name, 0)), 36, theme.INK, (rect.right - 60, y), shadow=False)
        theme.text(screen, f"best combo {self.result.max_combo}", 26, theme.INK, (rect.centerx, rect.bottom - 20),
                   shadow=False)

    def _best(self, screen, rect) -> None:
        theme.panel(screen, rect, alpha=230, radius_px=28)
        theme.text(screen, "Best moves", 36, theme.PINK, (rect.centerx, rect.y + 30), shadow=False)
        best = list(self.result.best_moves) or ["Keep practising!"]
        for i, name in enumerate(best[:3]):
            y = rect.y + 90 + i * 60
            theme.star(screen, (rect.x + 40, y), 16, theme.SUN)
            theme.text(screen, name[:20], 34, theme.INK, (rect.centerx + 10, y), shadow=False)

    def _tip(self, screen, rect) -> None:
        theme.panel(screen, rect, alpha=230, radius_px=28, border=theme.MINT, border_px=5)
        theme.text(screen, "Next time", 36, theme.PINK, (rect.centerx, rect.y + 30), shadow=False)
        if self.result.tips:
            tip = self.result.tips[0]
        elif self.result.stopped_at_s is not None:
            tip = "Dance the whole song next time to earn all your stars!"
        else:
            tip = "You did it! Try a harder dance next."
        lines = theme.wrap(tip, 30, rect.width - 40)
        if self.practise_button is not None:
            # The tip says what went wrong; the button under it practises the move it is about.
            lines = lines[:3]
            name = self.weakest[1]
            label = f"Practise {name} slowly:"
            theme.text(screen, label, theme.fit(label, 28, rect.width - 40), theme.PINK,
                       (rect.centerx, self.practise_button.rect.y - 22), shadow=False)
        for i, ln in enumerate(lines[:6]):
            theme.text(screen, ln, 30, theme.INK, (rect.centerx, rect.y + 80 + i * 32), shadow=False)


def weakest_move(result, choreo) -> tuple[int, str] | None:
    """(move number, name) of the move the "Next time" tip is about: the lowest-scored
    move below GREAT (the scorer orders its tips the same way); None after a great dance or
    for a song practice does not cover."""
    if getattr(choreo, "mode", "dance") != "dance" or not getattr(result, "judgements", None):
        return None
    js = sorted(result.judgements, key=lambda j: (j.score, j.move_index))
    j = js[0]
    if j.tier >= Tier.GREAT or not 0 <= j.move_index < len(choreo.moves):
        return None
    return j.move_index + 1, choreo.moves[j.move_index].name
