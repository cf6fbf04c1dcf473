"""Helpers shared by the course notebooks.

Students import from here what is *not* the lesson: data sets, the training
loop, plots, public self-checks and results recording.  Everything a chapter
asks students to implement lives in the chapter's notebook instead.
"""
from .scale import SCALE, is_autograding, pick, device, seed_everything

__all__ = ["SCALE", "is_autograding", "pick", "device", "seed_everything"]
