"""Backups: ``taskmaster db backup|restore|verify-backup`` (``make backup`` / ``make restore``)."""
