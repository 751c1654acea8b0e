"""The one error a reader raises: the file cannot be read as a report, with a reason in Chinese."""


class UnreadableError(Exception):
    """The file cannot be read or is not a report; str(exc) is the reason shown to the inspector."""
