"""The hidden part of the exercises' checks: instructor-only, never in the students' handout.

``wloss.checks.exNN`` is what a student installs and may read: the visible checks, which name the property
that fails and ask a question. ``wloss_grading.exNN`` holds what would give an answer away if a student could
read it: the hidden cases (inputs the visible checks never try), the references they are compared with, and
the grading of predictions against the experiment. The solutions call it from their hidden-test cells
(``### BEGIN HIDDEN TESTS``), which nbgrader removes from the released notebook and puts back when it
autogrades; ``make handout`` leaves this package out together with ``solutions/`` (see INSTRUCTORS.md).
"""
