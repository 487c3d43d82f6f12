"""Pull requests opened for tasks (tracking: status, review, CI, merge)."""
