"""The decision: pure models, signals, engine and playbook. No I/O, no other packages."""
