"""Workflows where two domains meet (a submission whose subject is a match or a scrim; a
ratified result rating its players), kept here so neither domain imports the other.

Importing the package registers the submission subjects with the replays
(:func:`sprocket.replays.subjects.register_subject`), so any process that reaches a flow,
a door or the submission job knows them all.
"""

from sprocket.flows import match_results, scrim_results  # noqa: F401 - register the subjects
