"""Python client of the FeatureStore server (``fsctl serve``), standard library only.

>>> from fsclient import Client
>>> c = Client("127.0.0.1", 6570, token=None)
>>> r = c.get_online_features(features=["user_stats:age"], entities={"user_id": [1, 2]})
>>> c.push("user_stats", rows=[{"user_id": 1, "event_timestamp": "2025-11-15T00:00:00Z", "age": 31.0}])
>>> c.predict("churn@production", entities={"user_id": [1, 2]})

See docs/clients.md; the protocol is docs/wire-protocol.md.
"""

from .client import Client, PreparedFeatures
from .errors import ERROR_NAMES, FeatureStoreConnectionError, FeatureStoreError, ProtocolError

__all__ = ["Client", "PreparedFeatures", "FeatureStoreError", "FeatureStoreConnectionError",
           "ProtocolError", "ERROR_NAMES"]
