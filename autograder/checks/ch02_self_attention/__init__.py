"""Hidden checks for chapter 2 (self-attention): one module per notebook."""
from . import self_attention_layers  # noqa: F401
from . import cost_and_nonlocal  # noqa: F401
