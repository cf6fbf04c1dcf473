"""Hidden checks for chapter 7 (masked autoencoders): one module per notebook."""
from . import masked_autoencoder  # noqa: F401
from . import visual_tokens  # noqa: F401
