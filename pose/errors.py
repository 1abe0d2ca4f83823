"""The project's error base. Every error a user can cause derives from DanceError.

The CLI prints ``str(error)`` as one line and exits non-zero; a traceback is a bug.
"""


class DanceError(Exception):
    """An error with a message fit to show a user as one line."""

    exit_code = 1


class ModelError(DanceError):
    """A model file is missing, corrupt or cannot be loaded."""


class TrackError(DanceError):
    """A pose-track file is missing, malformed or of another skeleton."""


class VideoError(DanceError):
    """A video or camera cannot be opened or read."""
