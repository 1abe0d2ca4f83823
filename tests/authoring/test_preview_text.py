"""dance preview's labels: a real font, any script, the outline exactly under the letters."""
from __future__ import annotations

import numpy as np
import pytest

from authoring.preview import WHITE, _text, label, text_width_px


@pytest.mark.parametrize("word", ["Zoë", "Bärentanz", "Танец", "Χορός"])
def test_non_ascii_letters_are_drawn_not_dropped(word):
    import unicodedata

    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    img, alpha, _, _ = label(word, 40, WHITE)
    assert alpha.max() > 0.9 and (img[..., 0] > 200).sum() > 50
    if plain:  # what the old ASCII-only text showed instead
        other, _, _, _ = label(plain, 40, WHITE)
        assert other.shape != img.shape or not np.array_equal(other, img)
    else:
        assert text_width_px(word, 1.0) > 40  # Cyrillic/Greek used to vanish entirely


def test_outline_sits_under_the_letters_with_no_ghost():
    img, alpha, _, _ = label("Side steps", 48, WHITE)
    bright = (img.min(axis=2) > 230) & (alpha[..., 0] > 0.9)
    ink = alpha[..., 0] > 0.5
    ys, xs = np.nonzero(bright)
    ys2, xs2 = np.nonzero(ink)
    # The letters' centre and the outlined shape's centre agree (a ghost would pull them apart).
    assert abs(xs.mean() - xs2.mean()) < 1.0 and abs(ys.mean() - ys2.mean()) < 1.0
    assert xs.min() >= xs2.min() and xs.max() <= xs2.max()


def test_text_is_blended_at_the_baseline_and_clipped_at_the_edges():
    frame = np.zeros((100, 200, 3), np.uint8)
    _text(frame, "Hop! Zoë", (10, 60), 1.0, WHITE)
    rows = np.nonzero(frame.max(axis=(1, 2)) > 200)[0]
    assert rows.size and rows.max() <= 60 + 12 and rows.min() >= 20  # above the baseline, descenders aside
    _text(frame, "off the edge", (-30, 5), 1.0, WHITE)  # partly outside: clipped, no error
    _text(frame, "", (0, 0), 1.0, WHITE)
