"""Projects: the containers of tasks, workflows and deployments (same layout as ``tasks``)."""
