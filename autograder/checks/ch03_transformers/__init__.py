"""Hidden checks for chapter 3 (transformers): one module per notebook."""
from . import transformer_blocks  # noqa: F401
from . import char_lm  # noqa: F401
