"""The ``govwatch`` command line: one module per command group."""
