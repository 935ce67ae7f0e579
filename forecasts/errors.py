"""Errors raised for a user's bad input (files, config): one line, naming the place and what was expected."""


class InputError(ValueError):
    """A user's input is wrong; the message is one line naming the file, row or key and what was expected."""
