"""Hidden checks for chapter 4 (BERT): one module per notebook."""
from . import wordpiece_and_pairs  # noqa: F401
from . import pretraining  # noqa: F401
