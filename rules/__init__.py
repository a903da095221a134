"""The decision: pure models, signals, engine and playbook. No I/O, no imports from other packages."""
