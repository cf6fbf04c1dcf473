"""Data sets that never touch the network.

Each one is either generated procedurally from a seed (deterministic, sized by
the caller) or ships inside an installed package.
"""
from .vocab import Vocab
from .dates import DateData, load_dates, make_date_pairs, format_date, DATE_FORMATS
from .shapes import ShapeScenes, load_shape_scenes, draw_scene
from .text import load_pydoc_corpus
from .images import load_digits, load_mnist5k, load_photo, photo_crops, random_erase, random_shift, split
from .sequences import IGNORE, lookback_task, position_blind_accuracy
from .beacons import beacon_maps
from .chars import CharCorpus, load_char_corpus

__all__ = [
    "Vocab", "DateData", "load_dates", "make_date_pairs", "format_date", "DATE_FORMATS",
    "ShapeScenes", "load_shape_scenes", "draw_scene",
    "load_pydoc_corpus", "load_digits", "load_mnist5k", "random_shift", "random_erase", "split",
    "load_photo", "photo_crops",
    "IGNORE", "lookback_task", "position_blind_accuracy", "beacon_maps",
    "CharCorpus", "load_char_corpus",
]
