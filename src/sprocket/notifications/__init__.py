"""Notifications: what happened, to whom, and how it reaches them.

Every event a domain reports through :func:`sprocket.notifications.service.notify` lands in
each recipient's web inbox (one row per user and event key, so a redelivered event adds
nothing) and, by each recipient's preference for its kind (:mod:`.preferences`) and the
organization's channels (:mod:`.channels`), goes to Discord through the delivery outbox
(:mod:`.delivery`): a direct message, a mention in the channel set for it, or neither.
Staff announcements (:mod:`.announcements`) go to the announcements channel and the home page.
"""

# The listeners called through registries: roster changes (the league's), closed DMs (the
# delivery's).
from sprocket.notifications import staff_alerts as _staff_alerts  # noqa: E402, F401
from sprocket.notifications import transactions as _transactions  # noqa: E402, F401
