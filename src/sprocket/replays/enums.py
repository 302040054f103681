"""States of submissions, ratifications and account claims, as stored (the lowercase values)."""

from __future__ import annotations

from enum import StrEnum


class SubmissionStatus(StrEnum):
    """A submission's way to a result: its replays are parsed (``processing``), checked
    against the match or scrim (``validating``), wait for the players' answers
    (``awaiting_ratification``), and end ``accepted`` or ``rejected``."""

    PROCESSING = "processing"
    VALIDATING = "validating"
    AWAITING_RATIFICATION = "awaiting_ratification"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


#: The submissions in flight (neither accepted nor rejected): at most one per subject.
OPEN_SUBMISSION_STATUSES = (
    SubmissionStatus.PROCESSING,
    SubmissionStatus.VALIDATING,
    SubmissionStatus.AWAITING_RATIFICATION,
)


class RatificationDecision(StrEnum):
    """A player's answer to a submission."""

    RATIFY = "ratify"
    REJECT = "reject"


class ClaimStatus(StrEnum):
    """An account claim waits (``pending``) until staff or the other side confirm it."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
