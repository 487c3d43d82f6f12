"""Runtime configuration settings; sensitive values are encrypted by the application
(Fernet, ``TASKMASTER_CONFIG_KEY``) and never returned in clear."""
