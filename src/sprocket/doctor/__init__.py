"""The morning checklist as one command."""
