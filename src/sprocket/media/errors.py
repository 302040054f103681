"""The error codes of report cards and other images: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class MediaCode(ErrorCode):
    """Report cards."""

    NO_REPORT_CARD = (
        "NO_REPORT_CARD",
        "A match or scrim whose result is not accepted (yet, or any more): it has no report card.",
    )
    MATCH_OR_SCRIM = (
        "MATCH_OR_SCRIM",
        "Both a match and a scrim named where one card is asked for.",
    )
