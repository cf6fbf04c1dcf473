"""Hidden checks for chapter 6 (video): one module per notebook."""
from . import space_time_attention  # noqa: F401
from . import nonlocal_video  # noqa: F401
