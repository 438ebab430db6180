"""The one exception users see: bad input, said in one line."""


class SurefitError(ValueError):
    """Bad input or an impossible request; the message is one plain sentence."""
