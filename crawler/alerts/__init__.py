"""Alerts: what an alert says (payload), composing them from the diff engine's decisions, the
notifier that works off the outbox, and the channels."""
