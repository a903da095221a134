"""Everything that runs in the background: intake, RQ jobs, the worker runner and the demo."""
