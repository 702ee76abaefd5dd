"""Errors a user can cause and fix; the CLI prints each as one line and exits with code 2."""


class UserError(Exception):
    """A mistake in input, configuration or invocation, with a message that says what to fix."""
