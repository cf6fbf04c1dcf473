"""nbgrader for this course: solutions/ is the source, assignments/ the release.

`nbgrader generate_assignment ch01_attention` (or `make assignments`) turns
solutions/ch01_attention/ into the student version in assignments/ch01_attention/.
"""
c = get_config()  # noqa: F821 (provided by nbgrader)

import os  # noqa: E402

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
