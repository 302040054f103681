"""Workflows where two domains meet (a submission whose subject is a match or a scrim; a
ratified result rating its players), kept here so neither domain imports the other."""
