"""The course's grading command and hidden checks.  Never released to students.

``python -m autograder grade ASSIGNMENT SUBMISSIONS --out DIR``
"""
