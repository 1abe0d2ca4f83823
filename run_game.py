"""Start DanceStudio: the same as ``dance play``."""
import sys

from game.cli import main

if __name__ == "__main__":
    sys.exit(main(["play", *sys.argv[1:]]))
