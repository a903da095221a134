"""The small kernel shared by every Flare process: settings, Redis, keys, store, command line."""
