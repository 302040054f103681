"""Skill ratings (Weng-Lin, Plackett-Luce), their history, and skill-balanced teams."""
