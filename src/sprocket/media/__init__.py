"""Images made from the league's results: report cards of accepted series and scrims (their
facts gathered from the domains below, drawn with Pillow, kept in object storage)."""
