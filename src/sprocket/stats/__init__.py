"""Per-game player and team stat lines, and their aggregates."""
