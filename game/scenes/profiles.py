"""Who is dancing? The child picker and creator, opened from the title.

Big tiles, one per child in the session store (their animal avatar and name), then
"New dancer" and "Guest". Arrow keys move, Enter (or a click) picks, Esc goes back. A
guest's sessions are stored under the store's Guest profile, which reports never count
as a child. "New dancer" asks for a name (typed; the on-screen letters work with the
arrow keys too) and an avatar (Tab or a click), then picks the new child.

The avatars are drawn with shapes, so they scale to any window and need no image files.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme

# name -> face colour; the ears, eyes and muzzle are drawn per animal in draw_avatar.
AVATARS: dict[str, tuple[int, int, int]] = {
    "bear": (190, 130, 80), "bunny": (245, 235, 245), "cat": (255, 170, 70),
    "frog": (110, 210, 100), "panda": (250, 250, 250), "fox": (255, 120, 50),
}
GUEST = "guest"  # the tile and avatar of "play without a name"
NEW = "new"
MAX_TILES = 10  # children per page; a bigger class turns pages (PgUp/PgDn, or past the last tile)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-' "


def default_avatar(name: str) -> str:
    """A stable avatar for a child who never picked one (same name -> same animal)."""
    keys = list(AVATARS)
    return keys[sum(map(ord, name)) % len(keys)]


def draw_avatar(screen: pygame.Surface, avatar: str | None, centre: tuple[int, int], radius_px: int) -> None:
    """An animal face (or the guest's question mark) in a circle of radius_px."""
    cx, cy = int(centre[0]), int(centre[1])
    r = int(radius_px)
    if avatar == GUEST or avatar not in AVATARS:
        pygame.draw.circle(screen, theme.LILAC, (cx, cy), r)
        pygame.draw.circle(screen, theme.WHITE, (cx, cy), r, max(2, r // 12))
        theme.text(screen, "?", int(r * 1.4), theme.WHITE, (cx, cy + r // 12), outline_px=2)
        return
    face = AVATARS[avatar]
    dark = theme.INK
    ear = tuple(int(c * 0.8) for c in face)
    if avatar in ("bear", "panda"):
        for dx in (-1, 1):
            pygame.draw.circle(screen, dark if avatar == "panda" else ear, (cx + dx * int(r * 0.68), cy - int(r * 0.68)),
                               int(r * 0.36))
    elif avatar == "bunny":
        for dx in (-1, 1):
            e = pygame.Rect(0, 0, int(r * 0.42), int(r * 1.2))
            e.midbottom = (cx + dx * int(r * 0.4), cy - int(r * 0.55))
            pygame.draw.ellipse(screen, face, e)
            pygame.draw.ellipse(screen, theme.PINK, e.inflate(-int(r * 0.2), -int(r * 0.35)))
    elif avatar in ("cat", "fox"):
        for dx in (-1, 1):
            pygame.draw.polygon(screen, face, [(cx + dx * int(r * 0.85), cy - int(r * 0.2)),
                                               (cx + dx * int(r * 0.75), cy - int(r * 1.15)),
                                               (cx + dx * int(r * 0.2), cy - int(r * 0.75))])
    elif avatar == "frog":
        for dx in (-1, 1):
            pygame.draw.circle(screen, face, (cx + dx * int(r * 0.45), cy - int(r * 0.72)), int(r * 0.38))
    pygame.draw.circle(screen, face, (cx, cy), r)
    pygame.draw.circle(screen, dark, (cx, cy), r, max(2, r // 14))
    if avatar == "fox":
        pygame.draw.polygon(screen, theme.WHITE, [(cx - int(r * 0.7), cy + int(r * 0.05)), (cx, cy + int(r * 0.9)),
                                                  (cx + int(r * 0.7), cy + int(r * 0.05)), (cx, cy + int(r * 0.35))])
    eye_y = cy - int(r * (0.72 if avatar == "frog" else 0.12))
    for dx in (-1, 1):
        ex = cx + dx * int(r * (0.45 if avatar == "frog" else 0.36))
        if avatar == "panda":
            pygame.draw.ellipse(screen, dark, pygame.Rect(ex - int(r * 0.22), eye_y - int(r * 0.2), int(r * 0.44),
                                                          int(r * 0.5)))
            pygame.draw.circle(screen, theme.WHITE, (ex, eye_y), max(2, int(r * 0.09)))
        else:
            if avatar == "frog":
                pygame.draw.circle(screen, theme.WHITE, (ex, eye_y), int(r * 0.22))
            pygame.draw.circle(screen, dark, (ex, eye_y), max(2, int(r * 0.11)))
    if avatar in ("bear", "panda"):
        pygame.draw.ellipse(screen, (240, 215, 180) if avatar == "bear" else (235, 235, 235),
                            pygame.Rect(cx - int(r * 0.34), cy + int(r * 0.08), int(r * 0.68), int(r * 0.5)))
    pygame.draw.circle(screen, dark, (cx, cy + int(r * 0.2)), max(2, int(r * 0.09)))  # nose
    mouth = pygame.Rect(cx - int(r * 0.3), cy + int(r * 0.1), int(r * 0.6), int(r * 0.45))
    pygame.draw.arc(screen, dark, mouth, math.pi * 1.15, math.pi * 1.85, max(2, r // 16))  # a smile


@dataclass(frozen=True)
class Child:
    """One tile: a child from the store (or the Guest / New tiles, kind GUEST / NEW)."""

    name: str
    avatar: str | None
    kind: str = "child"


def load_children(store_path=None) -> list[Child]:
    """The children in the session store, and the roster of the class this device is
    enrolled in on a class server (as last synced), by name; [] when there is neither."""
    from pose.errors import DanceError

    kids: list[Child] = []
    try:
        from reports.store import SessionStore

        store = SessionStore.open(store_path, create=False)
    except (ImportError, DanceError):
        store = None
    if store is not None:
        try:
            kids = [Child(p.name, p.avatar or default_avatar(p.name)) for p in store.players()]
        except DanceError:
            kids = []
        finally:
            store.close()
    from server.client import cached_roster

    known = {k.name for k in kids}
    kids += [Child(n, default_avatar(n)) for n in cached_roster() if n not in known]
    return sorted(kids, key=lambda k: k.name.casefold())


def save_child(name: str, avatar: str, store_path=None) -> str:
    """Create (or find) the child and remember their avatar; returns the stored name.
    Raises DanceError with a message fit for the screen (empty, too long, reserved)."""
    from pose.errors import DanceError
    from reports.migrations import GUEST_NAME
    from reports.store import SessionStore, clean_name

    cleaned = clean_name(name)
    if cleaned.casefold() == GUEST_NAME.casefold():
        raise DanceError(f"{GUEST_NAME} is for playing without a name - try another name")
    with SessionStore.open(store_path) as store:
        stored = store.add_player(cleaned)
        store.set_avatar(stored, avatar)
    return stored


def choose(game, name: str | None, avatar: str | None) -> None:
    """Make ``name`` the dancer (None: a guest) for the songs that follow."""
    game.config.player = name
    game.avatar = avatar if name is not None else GUEST
    game.player_chosen = True


class ProfilesScene(Scene):
    """The picker. on_done() runs after a child (or Guest) was picked and this scene left."""

    def __init__(self, app, game, on_done: Callable[[], None] | None = None) -> None:
        super().__init__(app)
        self.game = game
        self.on_done = on_done
        self.time_s = 0.0
        cfg = game.config
        self.kids = load_children(cfg.store_path) if cfg.use_store else []
        self.pages = max(1, math.ceil(len(self.kids) / MAX_TILES))
        current = next((i for i, c in enumerate(self.kids) if c.name == cfg.player), None)
        self.page = 0 if current is None else current // MAX_TILES
        self.tiles: list[Child] = self._page_tiles()
        self.focus = (current % MAX_TILES) if current is not None else (0 if self.kids else len(self.tiles) - 2)
        self.rects: list[pygame.Rect] = []
        self.columns = 4
        self._creator: CreatorScene | None = None

    def _page_tiles(self) -> list[Child]:
        kids = self.kids[self.page * MAX_TILES:(self.page + 1) * MAX_TILES]
        return kids + [Child("New dancer", None, NEW), Child("Guest", GUEST, GUEST)]

    def turn(self, step: int, focus_last: bool = False) -> None:
        """Another page of children (wrapping)."""
        self.page = (self.page + step) % self.pages
        self.tiles = self._page_tiles()
        self.focus = len(self.tiles) - 1 if focus_last else 0

    def enter(self) -> None:
        creator, self._creator = self._creator, None
        if creator is not None and creator.saved is not None:
            # Back from the creator with a new child: that child is the dancer now.
            self.pick(Child(creator.saved, creator.avatar))

    def targets(self) -> list:
        return [_Tile(i, r) for i, r in enumerate(self.rects)]

    def on_action(self, a: ActionEvent) -> None:
        n = len(self.tiles)
        if a.action is Action.BACK:
            self.app.pop()
        elif a.action in (Action.RIGHT, Action.NEXT):
            if self.focus == n - 1 and self.pages > 1:
                self.turn(+1)
            else:
                self.focus = (self.focus + 1) % n
        elif a.action is Action.LEFT:
            if self.focus == 0 and self.pages > 1:
                self.turn(-1, focus_last=True)
            else:
                self.focus = (self.focus - 1) % n
        elif a.action is Action.PAGE_DOWN:
            self.turn(+1)
        elif a.action is Action.PAGE_UP:
            self.turn(-1)
        elif a.action is Action.DOWN:
            self.focus = min(n - 1, self.focus + self.columns)
        elif a.action is Action.UP:
            self.focus = max(0, self.focus - self.columns)
        elif a.action is Action.SELECT and a.pos_px is not None:
            if isinstance(a.target, _Tile) and a.target.index < n:
                self.focus = a.target.index
                self.pick(self.tiles[a.target.index])
        elif a.action in (Action.SELECT, Action.YES):
            self.pick(self.tiles[self.focus])

    def pick(self, tile: Child) -> None:
        if tile.kind == NEW:
            self._creator = CreatorScene(self.app, self.game)
            self.app.push(self._creator)
            return
        choose(self.game, None if tile.kind == GUEST else tile.name, tile.avatar)
        self.app.pop()
        if self.on_done is not None:
            self.on_done()

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        theme.text(screen, "Who is dancing?", 80, theme.SUN, (w // 2, 70 + 4 * math.sin(t * 3)), outline_px=4)
        n = len(self.tiles)
        # Two rows at most, as big as the window allows (MAX_TILES + 2 tiles fit in 6 columns).
        self.columns = min(n, 4 if n <= 8 else 6)
        rows = math.ceil(n / self.columns)
        gap = 24
        tile_w = min(250, (w - 80 - (self.columns - 1) * gap) // self.columns)
        tile_h = min(200, (h - 150 - 70 - (rows - 1) * gap) // rows)
        x0 = (w - (self.columns * tile_w + (self.columns - 1) * gap)) // 2
        y0 = 150
        self.rects = []
        for i, tile in enumerate(self.tiles):
            r = pygame.Rect(x0 + (i % self.columns) * (tile_w + gap), y0 + (i // self.columns) * (tile_h + gap),
                            tile_w, tile_h)
            self.rects.append(r)
            self._tile(screen, r, tile, i == self.focus, t)
        keys = "<  >  choose      Enter  that's me!      Esc  back"
        if self.pages > 1:
            theme.text(screen, f"page {self.page + 1} of {self.pages}", 30, theme.WHITE, (w // 2, h - 62))
            keys = "<  >  choose      PgUp PgDn  more dancers      Enter  that's me!      Esc  back"
        theme.text(screen, keys, 26, (230, 220, 255), (w // 2, h - 22), shadow=False)
        if t > 0.3:
            self.game.shot(self.app, "1b_profiles")

    def _tile(self, screen, r: pygame.Rect, tile: Child, focused: bool, t: float) -> None:
        if focused:
            r = r.inflate(16, 16).move(0, int(-5 * abs(math.sin(t * 3))))
        pygame.draw.rect(screen, theme.SHADOW, r.move(0, 8), border_radius=28)
        pygame.draw.rect(screen, (255, 250, 240), r, border_radius=28)
        pygame.draw.rect(screen, theme.SUN if focused else theme.LILAC, r, 8 if focused else 4, border_radius=28)
        face_r = int(r.height * 0.26)
        centre = (r.centerx, r.y + int(r.height * 0.42))
        if tile.kind == NEW:
            pygame.draw.circle(screen, theme.MINT, centre, face_r)
            pygame.draw.circle(screen, theme.WHITE, centre, face_r, 4)
            theme.text(screen, "+", int(face_r * 2.0), theme.WHITE, (centre[0], centre[1] + 2), outline_px=2)
        else:
            draw_avatar(screen, tile.avatar, centre, face_r)
        size = theme.fit(tile.name, 36, r.width - 24)
        theme.text(screen, tile.name, size, theme.INK, (r.centerx, r.bottom - int(r.height * 0.16)), shadow=False)


class CreatorScene(Scene):
    """New dancer: type a name, pick an avatar, Enter. Letters can also be chosen with the
    arrow keys on an on-screen row (for a keyboard-less setup with a remote or arrows)."""

    def __init__(self, app, game) -> None:
        super().__init__(app)
        self.game = game
        self.time_s = 0.0
        self.name = ""
        self.avatar_i = 0
        self.letter_i = 0
        self.message = ""
        self.saved: str | None = None  # the stored name once saved
        self.avatar_rects: list[pygame.Rect] = []
        w, h = app.size_px
        self.ok_button = theme.Button("That's me!", pygame.Rect(w // 2 - 200, h - 130, 400, 88), theme.PINK, True)

    def enter(self) -> None:
        pygame.key.start_text_input()

    def leave(self) -> None:
        pygame.key.stop_text_input()

    @property
    def avatar(self) -> str:
        return list(AVATARS)[self.avatar_i]

    def handle(self, event) -> None:
        # Typing a name is text, not actions: letters (and space) come as TEXTINPUT and
        # Backspace deletes one; the other keys are the usual actions.
        if event.type == pygame.TEXTINPUT:
            self.type(event.text)
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_BACKSPACE:
            self.name = self.name[:-1]
            self.message = ""
        elif event.type == pygame.KEYDOWN and event.unicode and event.unicode.isprintable() and event.key != pygame.K_RETURN:
            return  # a letter key: TEXTINPUT brings it (so "a", "d", space never move or press)
        else:
            super().handle(event)

    def targets(self) -> list:
        return [self.ok_button] + [_Tile(i, r) for i, r in enumerate(self.avatar_rects)]

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK:
            self.app.pop()
        elif a.action is Action.SELECT and a.pos_px is not None:
            if isinstance(a.target, _Tile):
                self.avatar_i = a.target.index
            elif a.target is self.ok_button:
                self.save()
        elif a.action in (Action.SELECT, Action.YES):
            self.save()
        elif a.action is Action.NEXT:
            self.avatar_i = (self.avatar_i + 1) % len(AVATARS)
        elif a.action is Action.LEFT:
            self.letter_i = (self.letter_i - 1) % len(LETTERS)
        elif a.action is Action.RIGHT:
            self.letter_i = (self.letter_i + 1) % len(LETTERS)
        elif a.action in (Action.UP, Action.DOWN):
            self.type(LETTERS[self.letter_i])  # the on-screen letter, for arrows-only control

    def type(self, text: str) -> None:
        from reports.store import MAX_NAME_LEN

        text = "".join(ch for ch in text if ch.isprintable())
        if not self.name:
            text = text.lstrip()
        if len(self.name) + len(text) <= min(MAX_NAME_LEN, 24):
            self.name += text if self.name else text[:1].upper() + text[1:]
            self.message = ""

    def save(self) -> None:
        from pose.errors import DanceError

        if not self.name.strip():
            self.message = "Type your name first!"
            return
        cfg = self.game.config
        try:
            stored = save_child(self.name, self.avatar, cfg.store_path) if cfg.use_store else " ".join(self.name.split())
        except DanceError as e:
            self.message = str(e)
            return
        self.saved = stored
        self.app.pop()  # the picker's enter() picks the new child

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        theme.text(screen, "Hello, new dancer!", 72, theme.SUN, (w // 2, 62), outline_px=4)
        theme.text(screen, "What's your name?", 40, theme.WHITE, (w // 2, 128))
        field = pygame.Rect(w // 2 - 330, 160, 660, 90)
        pygame.draw.rect(screen, (255, 250, 240), field, border_radius=24)
        pygame.draw.rect(screen, theme.SUN, field, 6, border_radius=24)
        caret = "|" if int(t * 2) % 2 == 0 else " "
        shown = self.name + caret
        theme.text(screen, shown, theme.fit(shown, 60, field.width - 40), theme.INK, field.center, shadow=False)
        # the on-screen letter row (arrows pick, Up/Down type it)
        strip = pygame.Rect(w // 2 - 330, 262, 660, 40)
        for k in range(-6, 7):
            ch = LETTERS[(self.letter_i + k) % len(LETTERS)]
            x = strip.centerx + k * 50
            colour = theme.SUN if k == 0 else (210, 200, 235)
            theme.text(screen, "_" if ch == " " else ch, 40 if k == 0 else 28, colour, (x, strip.centery),
                       outline_px=2 if k == 0 else 0)
        theme.text(screen, "Pick your animal:", 40, theme.WHITE, (w // 2, 345))
        self.avatar_rects = []
        names = list(AVATARS)
        x0 = w // 2 - (len(names) - 1) * 75
        for i, a in enumerate(names):
            centre = (x0 + i * 150, 450)
            r = pygame.Rect(0, 0, 130, 130)
            r.center = centre
            self.avatar_rects.append(r)
            draw_avatar(screen, a, centre, 52)
            if i == self.avatar_i:  # a ring around the chosen one (ears stay visible)
                pygame.draw.circle(screen, theme.SUN, centre, 62 + int(3 * math.sin(t * 6)), 7)
        if self.message:
            theme.text(screen, self.message, theme.fit(self.message, 32, w - 80), theme.ORANGE, (w // 2, 545),
                       outline_px=2)
        self.ok_button.draw(screen, t)
        theme.text(screen, "type your name (or <  >  and Up)      Tab  next animal      Enter  done      Esc  back", 26,
                   (230, 220, 255), (w // 2, h - 22), shadow=False)
        if t > 0.3 and self.name:
            self.game.shot(self.app, "1c_new_dancer")


@dataclass(frozen=True)
class _Tile:
    """A child's tile (or an avatar) as a pointer target."""

    index: int
    rect: pygame.Rect
