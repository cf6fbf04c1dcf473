"""Hidden checks for chapter 1 (attention): one module per notebook."""
from . import date_translation  # noqa: F401
from . import show_attend_tell  # noqa: F401
