"""Title screen and choreography picker.

Left/right (or a click on a card) picks a dance, Enter / Space / the big button starts it,
M (or the Practice button) opens its moves to practise one, P (or the dancer button) picks
who is dancing, Esc quits. The first start asks who is
dancing unless --player said so. Each card shows the cover (or a dancing star), title,
difficulty, length and the dancer's best stars so far, re-read whenever the title comes
back into view. Headless runs pick the preselected dance by themselves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme

AUTO_START_S = 0.8  # headless: how long the title shows before the dance is picked
DIFFICULTY_COLOURS = {"easy": theme.MINT, "normal": theme.SKY, "hard": theme.ORANGE}


@dataclass
class Entry:
    """One dance on the picker (or the reason it can't be played)."""

    path: Path
    title: str
    difficulty: str = "easy"
    length_s: float = 0.0
    moves: int = 0
    cover: pygame.Surface | None = None
    best_stars: int = 0
    error: str | None = None


def load_entries(paths: list[Path], player: str | None = None, store_path: Path | None = None) -> list[Entry]:
    from pose.errors import DanceError
    from content.loader import load_choreography

    best = _best(paths, player, store_path)
    entries = []
    for p in paths:
        try:
            c = load_choreography(p)
        except DanceError as e:
            entries.append(Entry(p, p.parent.name, error=str(e).splitlines()[0][:80]))
            continue
        cover = None
        if c.cover is not None and Path(c.cover).is_file():
            try:
                cover = pygame.image.load(str(c.cover))
            except pygame.error:
                cover = None  # a broken cover image just shows the default art
        entries.append(Entry(p, c.title, c.difficulty, c.duration_s, len(c.moves), cover,
                             best.get(str(p), best.get(str(c.path), 0))))
    return entries


@dataclass(frozen=True)
class CardTarget:
    """A song card as a pointer target: picking it selects it, picking it again starts it."""

    index: int
    rect: pygame.Rect
def _best(paths: list[Path], player: str | None, store_path: Path | None) -> dict[str, int]:
    from game.recorder import best_stars

    keys = [str(p) for p in paths] + [str(p.resolve()) for p in paths]
    return best_stars(keys, store_path, player=player)


def refresh_stars(entries: list[Entry], player: str | None, store_path: Path | None = None) -> None:
    """Re-read the best stars (after a song, or for another dancer)."""
    best = _best([e.path for e in entries], player, store_path)
    for e in entries:
        e.best_stars = best.get(str(e.path), best.get(str(e.path.resolve()), 0))


def _note(screen, at: tuple[int, int]) -> None:
    """A music note drawn with shapes (the bundled font has no note glyph)."""
    x, y = at
    pygame.draw.ellipse(screen, theme.WHITE, pygame.Rect(x - 14, y + 14, 22, 16))
    pygame.draw.line(screen, theme.WHITE, (x + 6, y + 20), (x + 6, y - 18), 4)
    pygame.draw.polygon(screen, theme.WHITE, [(x + 6, y - 18), (x + 22, y - 8), (x + 22, y), (x + 6, y - 10)])


def _length(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


@dataclass(frozen=True)
class DancerTarget:
    """The "who's dancing" button as a pointer target."""

    rect: pygame.Rect


@dataclass(frozen=True)
class ModeTab:
    """A game mode's tab on the title: picking it shows that mode's songs."""

    index: int
    rect: pygame.Rect


class TitleScene(Scene):
    """Modes as tabs (up/down or point), their songs as cards (left/right or point)."""

    def __init__(self, app, game) -> None:
        super().__init__(app)
        from game.modes import available

        self.game = game
        if game.player_chosen is None:
            game.player_chosen = game.config.player is not None
        self.modes = list(available().values())
        paths = list(game.config.choreographies)
        wanted = paths[game.config.selected] if 0 <= game.config.selected < len(paths) else None
        self.entries_by_mode: dict[str, list[Entry]] = {}
        self.selected_by_mode: dict[str, int] = {}
        store = game.config.store_path if game.config.use_store else None
        for m in self.modes:
            songs = m.songs(paths)
            self.entries_by_mode[m.name] = load_entries(songs, game.config.player, store)
            self.selected_by_mode[m.name] = songs.index(wanted) if wanted in songs else 0
        names = [m.name for m in self.modes]
        self.mode_index = names.index(game.config.mode) if game.config.mode in names else 0
        self.entries: list[Entry] = []
        self.selected = 0
        self._show_mode(self.mode_index)
        self.time_s = 0.0
        self.card_rects: list[pygame.Rect] = []
        self.tab_rects: list[pygame.Rect] = []
        w, h = app.size_px
        self.play_button = theme.Button("Let's dance!", pygame.Rect(w // 2 - 190, h - 130, 380, 92),
                                        theme.PINK, focused=True)
        self.timing_button = theme.Button("Camera timing", pygame.Rect(30, h - 100, 250, 62), theme.SKY)
        self.practice_button = theme.Button("Practice", pygame.Rect(w - 280, h - 100, 250, 62), theme.MINT)
        self.dancer_rect = pygame.Rect(w - 290, 20, 270, 84)
        self.dancer_button = DancerTarget(self.dancer_rect)
        self._shown_for: str | None = game.config.player

    def enter(self) -> None:
        # Back from a song or the picker: the stars may have changed, or the dancer.
        if self.game.config.use_store:
            for entries in self.entries_by_mode.values():
                refresh_stars(entries, self.game.config.player, self.game.config.store_path)
        self._shown_for = self.game.config.player
        # Hands-free: the camera (with the hand pipeline) opens now, so the menus follow the hands.
        if not self.game.config.hands_free or self.app.headless:
            return
        from game.camera import game_camera
        from game.input.sources import CameraHandSource
        from pose.errors import DanceError

        try:
            game_camera(self.app, self.game, loop=True)
        except DanceError as e:
            self.game.camera_error = str(e)
            return
        if self.app.input.hands is None:
            self.app.input.hands = CameraHandSource(self.game)

    @property
    def mode(self):
        return self.modes[self.mode_index] if self.modes else None

    def _show_mode(self, i: int) -> None:
        if self.modes and self.mode is not None and self.entries_by_mode.get(self.mode.name) is self.entries:
            self.selected_by_mode[self.mode.name] = self.selected
        self.mode_index = i % max(1, len(self.modes))
        if self.mode is not None:
            self.entries = self.entries_by_mode[self.mode.name]
            self.selected = min(self.selected_by_mode[self.mode.name], max(0, len(self.entries) - 1))
            self.game.config.mode = self.mode.name

    def targets(self) -> list:
        cards = [CardTarget(i, r) for i, r in enumerate(self.card_rects) if r.width]
        tabs = [ModeTab(i, r) for i, r in enumerate(self.tab_rects)]
        practice = [self.practice_button] if self._can_practise() else []
        return [self.play_button, self.timing_button, *practice, self.dancer_button, *tabs, *cards]

    def _can_practise(self) -> bool:
        """Practice breaks down dance songs (the other modes have no moves to slow down)."""
        return bool(self.entries) and self.mode is not None and self.mode.name == "dance" \
            and not self.entries[self.selected].error

    def on_action(self, a: ActionEvent) -> None:
        n = max(1, len(self.entries))
        if a.action is Action.BACK:
            self.app.quit(0)
        elif a.action in (Action.UP, Action.DOWN):
            self._show_mode(self.mode_index + (-1 if a.action is Action.UP else 1))
        elif a.action is Action.SELECT and isinstance(a.target, ModeTab):
            self._show_mode(a.target.index)
        elif a.action in (Action.LEFT, Action.RIGHT, Action.NEXT):
            self.selected = (self.selected + (-1 if a.action is Action.LEFT else 1)) % n
        elif a.action is Action.CALIBRATE:
            self.calibrate()
        elif a.action is Action.PRACTICE:
            self.practise()
        elif a.action is Action.PAUSE and a.device == "keyboard":
            self.pick_dancer()  # P: who is dancing
        elif a.action is Action.YES or (a.action is Action.SELECT and a.pos_px is None):
            self.start()
        elif a.action is Action.SELECT:
            if a.target is self.play_button:
                self.start()
            elif a.target is self.timing_button:
                self.calibrate()
            elif a.target is self.practice_button:
                self.practise()
            elif a.target is self.dancer_button:
                self.pick_dancer()
            elif isinstance(a.target, CardTarget):
                if a.target.index == self.selected:
                    self.start()
                self.selected = a.target.index

    def pick_dancer(self, then=None) -> None:
        from game.scenes.profiles import ProfilesScene

        self.app.push(ProfilesScene(self.app, self.game, on_done=then))

    def start(self) -> None:
        if not self.entries or self.entries[self.selected].error:
            return
        if not self.game.player_chosen and not self.app.headless:
            self.pick_dancer(then=self.start)  # who is dancing, then the dance
            return
        from game.scenes.stepin import open_camera_scene

        path = self.entries[self.selected].path
        if path in self.game.config.choreographies:
            self.game.config.selected = self.game.config.choreographies.index(path)
        if self.mode is not None:
            self.game.mode = self.mode
        self.app.push(open_camera_scene(self.app, self.game, path))

    def practise(self) -> None:
        """The selected song's moves, to practise one (game/practice/picker.py)."""
        if not self._can_practise():
            return
        if not self.game.player_chosen and not self.app.headless:
            self.pick_dancer(then=self.practise)  # practice is stored per dancer
            return
        from game.practice.picker import MovePickerScene
        from pose.errors import DanceError

        try:
            self.app.push(MovePickerScene(self.app, self.game, self.entries[self.selected].path))
        except DanceError as e:
            self.entries[self.selected].error = str(e).splitlines()[0][:80]

    def calibrate(self) -> None:
        """The move-along latency calibration (game/scenes/calibration_scene.py); C or the button."""
        from game.scenes.calibration_scene import calibration_for_game
        from game.scenes.nocamera import NoCameraScene, problem_of
        from pose.errors import DanceError

        try:
            self.app.push(calibration_for_game(self.app, self.game))
        except DanceError as e:
            # Try again retries the timing check; no "Just watch" (it would start a song).
            self.app.push(NoCameraScene(self.app, self.game, None, str(e), problem=problem_of(e), then="calibrate"))

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        if self.time_s >= AUTO_START_S and self.app.top is self:
            self.game.shot(self.app, "1_title")
        if self.app.headless and self.game.config.autoplay and self.time_s >= AUTO_START_S and self.app.top is self:
            if self.entries and not self.entries[self.selected].error:
                self.start()
            else:
                self.app.quit(2)

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        self._logo(screen, (w // 2, 70), t)
        self.tab_rects = self._tabs(screen, t)
        if not self.entries:
            theme.text(screen, "No songs for this game yet - make one with: dance new DIR --mode "
                       + (self.mode.name if self.mode else "dance"), 30, theme.SUN, (w // 2, h // 2))
        self.card_rects = self._cards(screen, t)
        self.play_button.draw(screen, t)
        self.timing_button.draw(screen, t)
        if self._can_practise():
            self.practice_button.draw(screen, t)
        self._dancer(screen, t)
        theme.text(screen, "^ v  game    < >  song    Enter  start    M  practice    P  who's dancing    C  camera timing    Esc  quit", 24,
                   (230, 220, 255), (w // 2, h - 22), shadow=False)

    def _tabs(self, screen, t) -> list[pygame.Rect]:
        """One pill per game mode; the chosen one is big and bright, with its tagline below."""
        w, _ = screen.get_size()
        if not self.modes:
            return []
        tab_w, tab_h, gap = 220, 50, 14
        total = len(self.modes) * tab_w + (len(self.modes) - 1) * gap
        x0 = (w - total) // 2
        rects = []
        for i, m in enumerate(self.modes):
            r = pygame.Rect(x0 + i * (tab_w + gap), 128, tab_w, tab_h)
            on = i == self.mode_index
            if on:
                r = r.inflate(10, 8)
            pygame.draw.rect(screen, theme.SHADOW, r.move(0, 5), border_radius=r.height // 2)
            pygame.draw.rect(screen, m.colour if on else (110, 90, 160), r, border_radius=r.height // 2)
            pygame.draw.rect(screen, theme.WHITE if on else theme.LILAC, r, 4 if on else 2, border_radius=r.height // 2)
            theme.text(screen, m.title, 34 if on else 30, theme.WHITE, r.center, outline_px=2 if on else 1)
            rects.append(r)
        if self.mode is not None and self.mode.tagline:
            theme.text(screen, self.mode.tagline, 30, theme.WHITE, (w // 2, 200))
        return rects

    def _dancer(self, screen, t: float) -> None:
        """Top right: who is dancing (their avatar and name), a button to change it."""
        from game.scenes.profiles import GUEST, default_avatar, draw_avatar

        r = self.dancer_rect
        name = self.game.config.player
        pygame.draw.rect(screen, theme.SHADOW, r.move(0, 6), border_radius=r.height // 2)
        pygame.draw.rect(screen, theme.LILAC, r, border_radius=r.height // 2)
        pygame.draw.rect(screen, theme.WHITE, r, 4, border_radius=r.height // 2)
        if name is None and not self.game.player_chosen:
            avatar, label = GUEST, "Who's dancing?"
        else:
            avatar = self.game.avatar or (default_avatar(name) if name else GUEST)
            label = name or "Guest"
        draw_avatar(screen, avatar, (r.x + 44, r.centery), 30)
        theme.text(screen, label, theme.fit(label, 36, r.width - 100), theme.WHITE, (r.x + 88 + (r.width - 100) // 2, r.centery),
                   outline_px=2)

    def _logo(self, screen, centre, t) -> None:
        word = "DanceStudio"
        colours = (theme.PINK, theme.SUN, theme.MINT, theme.SKY, theme.ORANGE, theme.LILAC)
        f = theme.font(100)
        widths = [f.size(ch)[0] for ch in word]
        x = centre[0] - sum(widths) / 2
        for i, ch in enumerate(word):
            dy = 10 * math.sin(t * 4 + i * 0.6)  # letters bob like they are dancing
            theme.text(screen, ch, 100, colours[i % len(colours)], (x + widths[i] / 2, centre[1] + dy), outline_px=4)
            x += widths[i]

    def _cards(self, screen, t) -> list[pygame.Rect]:
        w, h = screen.get_size()
        n = len(self.entries)
        if n == 0:
            return []
        card_w, card_h, gap = 300, 330, 36
        shown = min(n, 3)
        first = min(max(0, self.selected - 1), max(0, n - shown))
        total_w = shown * card_w + (shown - 1) * gap
        x0 = (w - total_w) // 2
        rects = [pygame.Rect(0, 0, 0, 0)] * n
        for k in range(shown):
            i = first + k
            e = self.entries[i]
            sel = i == self.selected
            rect = pygame.Rect(x0 + k * (card_w + gap), 232, card_w, card_h)
            if sel:
                rect = rect.inflate(24, 24).move(0, int(-6 * abs(math.sin(t * 3))))
            rects[i] = rect
            self._card(screen, rect, e, sel, t)
        if first > 0:
            theme.text(screen, "<", 90, theme.WHITE, (x0 - 50, 397), outline_px=3)
        if first + shown < n:
            theme.text(screen, ">", 90, theme.WHITE, (x0 + total_w + 50, 397), outline_px=3)
        return rects

    def _card(self, screen, rect, e: Entry, sel: bool, t: float) -> None:
        pygame.draw.rect(screen, theme.SHADOW, rect.move(0, 10), border_radius=30)
        pygame.draw.rect(screen, (255, 250, 240), rect, border_radius=30)
        pygame.draw.rect(screen, theme.SUN if sel else theme.LILAC, rect, 8 if sel else 4, border_radius=30)
        art = pygame.Rect(rect.x + 16, rect.y + 16, rect.width - 32, int(rect.height * 0.46))
        if e.cover is not None:
            iw, ih = e.cover.get_size()
            s = min(art.width / iw, art.height / ih)  # whole cover visible
            pygame.draw.rect(screen, theme.LILAC, art, border_radius=22)
            img = pygame.transform.smoothscale(e.cover, (int(iw * s) + 1, int(ih * s) + 1))
            clip = screen.get_clip()
            screen.set_clip(art)
            screen.blit(img, img.get_rect(center=art.center))
            screen.set_clip(clip)
        else:
            pygame.draw.rect(screen, theme.PINK if not e.error else (160, 150, 170), art, border_radius=22)
            theme.star(screen, art.center, art.height * 0.36, theme.SUN, spin_rad=0.3 * math.sin(t * 2))
            _note(screen, (art.x + 44, art.y + 40))
        theme.text(screen, e.title if len(e.title) <= 18 else e.title[:17] + "…", 40, theme.INK,
                   (rect.centerx, art.bottom + 34), shadow=False)
        if e.error:
            theme.text(screen, "can't open this one", 26, theme.RED, (rect.centerx, art.bottom + 76), shadow=False)
            return
        badge = pygame.Rect(0, 0, 120, 38)
        badge.center = (rect.centerx - 62, art.bottom + 80)
        pygame.draw.rect(screen, DIFFICULTY_COLOURS.get(e.difficulty, theme.SKY), badge, border_radius=19)
        theme.text(screen, e.difficulty, 28, theme.WHITE, badge.center, outline_px=1)
        theme.text(screen, _length(e.length_s), 34, theme.INK, (rect.centerx + 70, art.bottom + 80), shadow=False)
        for i in range(5):
            theme.star(screen, (rect.centerx - 88 + i * 44, rect.bottom - 36), 19,
                       theme.SUN if i < e.best_stars else (220, 210, 235), filled=True)
