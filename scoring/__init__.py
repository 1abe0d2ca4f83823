"""Scoring: features, similarity, alignment, judgements. Pure, headless numpy; no pygame."""
