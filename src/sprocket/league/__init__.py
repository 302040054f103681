"""League structure: organizations, leagues, seasons, skill groups, franchises, teams, rosters."""
