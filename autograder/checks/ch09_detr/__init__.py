"""Hidden checks for chapter 9 (DETR): one module per notebook."""
from . import set_prediction  # noqa: F401
from . import small_detr  # noqa: F401
