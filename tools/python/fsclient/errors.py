"""Exceptions of the FeatureStore Python client."""

# Stable error codes of docs/wire-protocol.md, section 5.
ERROR_NAMES = {
    1: "MALFORMED",
    2: "UNKNOWN_OPCODE",
    3: "UNSUPPORTED_VERSION",
    4: "FRAME_TOO_LARGE",
    5: "HANDSHAKE_REQUIRED",
    6: "PROTOCOL_VIOLATION",
    10: "UNAUTHENTICATED",
    11: "FORBIDDEN",
    20: "INVALID_ARGUMENT",
    21: "NOT_FOUND",
    22: "UNKNOWN_FEATURE_LIST",
    23: "FEATURE_LIST_STALE",
    24: "LIMIT_EXCEEDED",
    25: "READ_ONLY",
    26: "UNSUPPORTED_OPERATION",
    27: "CONFLICT",
    28: "MODEL_NOT_SERVABLE",
    30: "UNAVAILABLE",
    31: "INTERNAL",
}


class FeatureStoreError(Exception):
    """An error reply from the server: a stable numeric ``code``, its ``name``
    (``"FORBIDDEN"``), the server's ``message``, the ``operation``
    (``"PUSH"``) and the server's ``endpoint`` (``"127.0.0.1:6570"``).

    >>> try:
    ...     c.push("user_stats", rows=[...])
    ... except FeatureStoreError as e:
    ...     if e.name == "FORBIDDEN": ...
    """

    def __init__(self, code, message, operation=None, endpoint=None):
        self.code = code
        self.name = ERROR_NAMES.get(code, f"CODE_{code}") if code is not None else None
        self.message = message
        self.operation = operation
        self.endpoint = endpoint
        super().__init__(str(self))

    def __str__(self):
        where = f"{self.endpoint}: " if self.endpoint else ""
        op = f"{self.operation}: " if self.operation else ""
        if self.code is None:
            return f"{where}{op}{self.message}"
        return f"{where}{op}{self.name} ({self.code}): {self.message}"


class FeatureStoreConnectionError(FeatureStoreError):
    """The connection could not be made, or closed before a reply; ``code`` is
    None and the message names ``host:port``."""

    def __init__(self, message, operation=None, endpoint=None):
        super().__init__(None, message, operation=operation, endpoint=endpoint)


class ProtocolError(FeatureStoreError):
    """The server sent bytes this client cannot decode (``code`` is None)."""

    def __init__(self, message, operation=None, endpoint=None):
        super().__init__(None, message, operation=operation, endpoint=endpoint)
