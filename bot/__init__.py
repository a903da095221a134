"""The chat surfaces: card renderers, the Slack app and its one client wrapper."""
