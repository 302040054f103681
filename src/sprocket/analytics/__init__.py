"""League health analytics for staff: activity, punctuality and waiting times over a range
of days, read from the other domains' tables (it sits above them and below the doors)."""
