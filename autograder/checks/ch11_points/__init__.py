"""Hidden checks for chapter 11 (point transformers): one module per notebook."""
from . import point_attention  # noqa: F401
from . import part_segmentation  # noqa: F401
