"""``python -m sprocket``: the `sprocket` command (how `periodic` runs its jobs)."""

from sprocket.cli import main

main()
