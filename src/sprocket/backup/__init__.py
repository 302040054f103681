"""Backups that restore: a consistent database dump and every stored object in one archive,
with a manifest that proves it (:mod:`sprocket.backup.service`)."""
