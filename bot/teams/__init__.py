"""Flare in Microsoft Teams: Adaptive Cards, the /api/messages endpoint, the Bot Connector."""
