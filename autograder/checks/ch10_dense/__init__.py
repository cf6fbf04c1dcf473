"""Hidden checks for chapter 10 (dense prediction, DPT): one module per notebook."""
from . import dense_metrics  # noqa: F401
from . import dpt  # noqa: F401
