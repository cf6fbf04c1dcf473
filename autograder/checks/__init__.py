"""Hidden checks, called from the hidden-test part of the solution notebooks:

    from autograder.checks import check
    check("ch01.masked_softmax", masked_softmax)

Each check runs the student's code on fresh inputs built from a fixed seed,
compares with a trusted oracle and, when they differ, names the likely mistake
by comparing with the outputs of the known mistakes on the same inputs.

The verdict that earns points is not the one printed in the kernel (student code
runs there and could interfere): the kernel writes the student's raw outputs to
a record file, and the grading command re-runs the comparison in its own,
trusted process (see :func:`autograder.checks.core.verify`).
"""
from .core import CheckFailed, check, verify, SPECS

# Importing the chapter modules registers their specs.
from . import ch01_attention  # noqa: F401,E402  (registers ch01.* specs)
from . import ch02_self_attention  # noqa: F401,E402
from . import ch03_transformers  # noqa: F401,E402
from . import ch04_bert  # noqa: F401,E402
from . import ch05_vit  # noqa: F401,E402
from . import ch06_video  # noqa: F401,E402
from . import ch07_mae  # noqa: F401,E402
from . import ch08_multimodal  # noqa: F401,E402
from . import ch09_detr  # noqa: F401,E402
from . import ch10_dense  # noqa: F401,E402
from . import ch11_points  # noqa: F401,E402

__all__ = ["CheckFailed", "check", "verify", "SPECS"]
