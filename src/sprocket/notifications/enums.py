"""Kinds of notifications, how each user takes them, and the purposes an organization
gives its Discord channels, as stored (the lowercase values)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class DeliveryMode(StrEnum):
    """How a user takes one kind of notification: a direct message on Discord (``dm``), a
    mention in the channel the organization set for it (``channel``), or neither
    (``off``). Every notification lands in the web inbox whatever the choice."""

    DM = "dm"
    CHANNEL = "channel"
    OFF = "off"


class ChannelPurpose(StrEnum):
    """What an organization's Discord channel (or webhook) is for: its announcements, the
    league's results, roster transactions, staff alerts, the scrims of one skill group (or
    of casual scrims), or one team's or franchise's channel."""

    ANNOUNCEMENTS = "announcements"
    RESULTS = "results"
    TRANSACTIONS = "transactions"
    STAFF_ALERTS = "staff_alerts"
    SCRIMS = "scrims"
    TEAM = "team"
    FRANCHISE = "franchise"

    @property
    def scoped(self) -> bool:
        """Whether the purpose is set per skill group, team or franchise (else once per
        organization)."""
        return self in (ChannelPurpose.SCRIMS, ChannelPurpose.TEAM, ChannelPurpose.FRANCHISE)


class NotificationKind(StrEnum):
    """What happened, each with the sentence the settings pages show, the delivery a user
    gets until they choose (:attr:`default`) and where its channel copy goes
    (:attr:`purpose`, None: never in a channel).

    Source: the original Sprocket's notification events (scrim popped and started,
    submission ratifying and rejected, results with report card, queue ban, skill group or
    team changed) and issue 11's list."""

    sentence: str
    default: DeliveryMode
    purpose: ChannelPurpose | None
    role_ping: bool

    def __new__(
        cls,
        value: str,
        sentence: str,
        default: DeliveryMode,
        purpose: ChannelPurpose | None,
        role_ping: bool,
    ) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.sentence = sentence
        member.default = default
        member.purpose = purpose
        member.role_ping = role_ping
        return member

    SCRIM_CREATED = (
        "scrim_created",
        "A scrim opened in your skill group (posted in its scrims channel with the group's role).",
        DeliveryMode.CHANNEL,
        ChannelPurpose.SCRIMS,
        True,
    )
    SCRIM_POPPED = (
        "scrim_popped",
        "Your scrim is full: check in before the window closes (with a Check in button).",
        DeliveryMode.DM,
        ChannelPurpose.SCRIMS,
        False,
    )
    SCRIM_STARTED = (
        "scrim_started",
        "Your scrim started: the lobby's name and password (never posted in a channel).",
        DeliveryMode.DM,
        None,
        False,
    )
    QUEUE_BAN = (
        "queue_ban",
        "You were banned from the scrim queue: why, and until when (never in a channel).",
        DeliveryMode.DM,
        None,
        False,
    )
    SUBMISSION_WAITING = (
        "submission_waiting",
        "A result your side must ratify or reject (in your team's channel with its role, "
        "with a Ratify button).",
        DeliveryMode.CHANNEL,
        ChannelPurpose.TEAM,
        True,
    )
    SUBMISSION_REJECTED = (
        "submission_rejected",
        "A result your side submitted was rejected: upload it again (in your team's channel "
        "with its role).",
        DeliveryMode.CHANNEL,
        ChannelPurpose.TEAM,
        True,
    )
    RESULT_ACCEPTED = (
        "result_accepted",
        "A result you played in was accepted (in the league's results channel).",
        DeliveryMode.CHANNEL,
        ChannelPurpose.RESULTS,
        False,
    )
    ROSTER_CHANGED = (
        "roster_changed",
        "Your team or skill group changed (in the transactions channel).",
        DeliveryMode.CHANNEL,
        ChannelPurpose.TRANSACTIONS,
        False,
    )
    MATCH_REMINDER = (
        "match_reminder",
        "Your match's window closes soon and no result is submitted yet (in your team's "
        "channel with its role).",
        DeliveryMode.CHANNEL,
        ChannelPurpose.TEAM,
        True,
    )
