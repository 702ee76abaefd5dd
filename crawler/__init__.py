"""govwatch's engine, in rooms named after their roles; config and logging at its root."""
