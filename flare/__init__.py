"""The small kernel shared by every Flare process: settings, Redis, keys, the store, the command line."""
