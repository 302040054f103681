"""Imports every domain's tables so that `Base.metadata` is complete (Alembic, tests)."""

from sprocket import audit
from sprocket.db import Base
from sprocket.identity import models as identity_models
from sprocket.league import models as league_models
from sprocket.notifications import delivery as notification_delivery
from sprocket.notifications import models as notification_models
from sprocket.platform import outbox
from sprocket.ratings import models as rating_models
from sprocket.replays import models as replay_models
from sprocket.schedule import models as schedule_models
from sprocket.scrims import models as scrim_models
from sprocket.stats import models as stats_models

__all__ = [
    "Base",
    "audit",
    "identity_models",
    "league_models",
    "notification_delivery",
    "notification_models",
    "outbox",
    "rating_models",
    "replay_models",
    "schedule_models",
    "scrim_models",
    "stats_models",
]
