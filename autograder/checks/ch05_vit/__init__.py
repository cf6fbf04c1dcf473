"""Hidden checks for chapter 5 (the vision transformer): one module per notebook."""
from . import vision_transformer  # noqa: F401
from . import inductive_bias  # noqa: F401
