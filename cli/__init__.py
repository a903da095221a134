"""The `flare` command line: the one place processes are wired; nothing imports it."""
