"""Hidden checks for chapter 8 (multimodal transformers): one module per notebook."""
from . import vilt  # noqa: F401
from . import video_text  # noqa: F401
