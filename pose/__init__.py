"""Body, face and hand pose from MediaPipe models on LiteRT.

The bottom layer: imports neither ``scoring`` nor ``game``.
"""
