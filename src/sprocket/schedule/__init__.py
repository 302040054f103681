"""Match weeks, fixtures, matches, results and standings."""
