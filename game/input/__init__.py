"""Input actions: keyboard, mouse/touch and hands feed one stream of named actions."""
from game.input.actions import Action, ActionEvent

__all__ = ["Action", "ActionEvent"]
