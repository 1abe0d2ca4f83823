"""Effects drawn over scenes: the child cut out onto the coach's stage, accessories."""
