"""The pygame game. Import-light: ``game.cli`` must not import pygame at module level."""
