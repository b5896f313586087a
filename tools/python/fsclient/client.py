"""The FeatureStore client: one connection to ``fsctl serve``, standard library only."""

import socket
import ssl as _ssl
import threading

from . import wire
from .errors import FeatureStoreConnectionError, FeatureStoreError, ProtocolError

_RETRY_CODES = (22, 23)  # UNKNOWN_FEATURE_LIST, FEATURE_LIST_STALE: prepare again


class PreparedFeatures:
    """A feature list the server resolved once (PREPARE): ``id``, ``join_keys``
    as ``[(name, type name)]`` and ``features`` as ``[(output name, ref, type name)]``."""

    def __init__(self, list_id, join_keys, features):
        self.id = list_id
        self._join_keys = join_keys      # [(name, (tag, dim))]
        self._features = features        # [(name, ref, (tag, dim))]

    @property
    def join_keys(self):
        return [(n, wire.type_name(t)) for n, t in self._join_keys]

    @property
    def features(self):
        return [(n, r, wire.type_name(t)) for n, r, t in self._features]

    def __repr__(self):
        return f"PreparedFeatures(id={self.id}, join_keys={self.join_keys}, features={[f[0] for f in self._features]})"


class Client:
    """A connection to a FeatureStore server (``fsctl serve``), docs/wire-protocol.md.

    >>> from fsclient import Client
    >>> c = Client("127.0.0.1", 6570, token=None)
    >>> r = c.get_online_features(features=["user_stats:age"], entities={"user_id": [1, 2]})
    >>> r["results"][1]["values"]
    [31.5, None]

    ``tls=True`` wraps the socket in TLS, verifying the server against the
    system roots or ``ca_file``; ``server_hostname`` overrides the name checked.
    Every error reply raises :class:`FeatureStoreError` (``code``, ``name``,
    ``message``); connection failures raise :class:`FeatureStoreConnectionError`
    naming ``host:port``. One client may be shared by threads (calls take turns).
    """

    def __init__(self, host="127.0.0.1", port=6570, token=None, tls=False, ca_file=None,
                 server_hostname=None, timeout=30.0, client_name="fsclient-python/1"):
        self.host = host
        self.port = port
        self.endpoint = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self._lock = threading.Lock()
        self._next_id = 1
        self._prepared = {}
        self._catalog = None
        self._buffer = bytearray()
        try:
            raw = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise FeatureStoreConnectionError(f"cannot connect: {e}", endpoint=self.endpoint) from None
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            context = _ssl.create_default_context(cafile=ca_file)
            try:
                raw = context.wrap_socket(raw, server_hostname=server_hostname or host)
            except (OSError, _ssl.SSLError) as e:
                raw.close()
                raise FeatureStoreConnectionError(f"TLS handshake failed: {e}", endpoint=self.endpoint) from None
        self._sock = raw
        hello = (wire.MAGIC + wire._U16.pack(wire.VERSION) + wire._U16.pack(wire.VERSION)
                 + wire.s(client_name) + wire.s(token or ""))
        try:
            r = self._call(wire.OP_HELLO, hello)
        except Exception:
            self.close()
            raise
        self.server = {
            "version": r.u16("version"),
            "server": r.str("server"),
            "store_id": r.str("store_id"),
            "scope": wire.SCOPES[r.u8("scope")],
        }
        flags = r.u8("server_flags")
        self.server.update({
            "auth_required": bool(flags & 1), "read_only": bool(flags & 2), "tls": bool(flags & 4),
            "max_frame_bytes": r.u32("max_frame_bytes"), "max_entities": r.u32("max_entities"),
            "max_rows": r.u32("max_rows"), "max_in_flight": r.u32("max_in_flight"),
        })
        r.done("HELLO")

    # ------------------------------------------------------------------ plumbing

    def close(self):
        """Closes the connection."""
        sock, self._sock = getattr(self, "_sock", None), None
        if sock is not None:
            sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _recv_exact(self, n, op):
        buf = self._buffer
        while len(buf) < n:
            try:
                chunk = self._sock.recv(max(65536, n - len(buf)))
            except OSError as e:
                self.close()
                raise FeatureStoreConnectionError(f"connection lost: {e}", operation=op, endpoint=self.endpoint) from None
            if not chunk:
                self.close()
                raise FeatureStoreConnectionError("the server closed the connection", operation=op, endpoint=self.endpoint)
            buf += chunk
        out = bytes(buf[:n])
        del buf[:n]
        return out

    def _call(self, opcode, payload):
        """Sends one request and returns a Reader on its reply payload (raising its error reply)."""
        op = wire.OP_NAMES.get(opcode, hex(opcode))
        with self._lock:
            if self._sock is None:
                raise FeatureStoreConnectionError("the connection is closed", operation=op, endpoint=self.endpoint)
            rid = self._next_id
            self._next_id = rid + 1 if rid < 0xFFFFFFFF else 1
            try:
                self._sock.sendall(wire.HEADER.pack(len(payload), opcode, 0, rid) + payload)
            except OSError as e:
                self.close()
                raise FeatureStoreConnectionError(f"connection lost: {e}", operation=op, endpoint=self.endpoint) from None
            while True:
                length, r_op, flags, r_id = wire.HEADER.unpack(self._recv_exact(wire.HEADER.size, op))
                body = self._recv_exact(length, op)
                if r_id == rid:
                    break
                if flags & wire.FLAG_ERROR and r_id == 0:
                    # A connection-level error (draining, frame too large): the server closes next.
                    code, message = self._error(body)
                    self.close()
                    raise FeatureStoreError(code, message, operation=op, endpoint=self.endpoint)
                # Anything else answers a request this client no longer waits for: skip it.
        if r_op != opcode:
            raise ProtocolError(f"a {wire.OP_NAMES.get(r_op, hex(r_op))} reply to a {op} request",
                                operation=op, endpoint=self.endpoint)
        if flags & wire.FLAG_ERROR:
            code, message = self._error(body)
            raise FeatureStoreError(code, message, operation=op, endpoint=self.endpoint)
        return wire.Reader(memoryview(body))

    @staticmethod
    def _error(body):
        r = wire.Reader(memoryview(body))
        return r.u16("error code"), r.str("error message")

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _selection(features, service, full_feature_names):
        if isinstance(features, str):
            features = [features]
        services = [service] if isinstance(service, str) else list(service or [])
        refs = list(features or [])
        if not refs and not services:
            raise ValueError("give features=[...] or service=...")
        return tuple(refs), tuple(services), bool(full_feature_names)

    def prepare(self, features=None, service=None, full_feature_names=False):
        """Resolves refs (``"user_stats:age"``, ``"user_stats:*"``) and/or a service once;
        returns :class:`PreparedFeatures` for ``get_online_features(prepared=...)``."""
        refs, services, full = self._selection(features, service, full_feature_names)
        payload = bytearray(wire.u8(1 if full else 0))
        payload += wire.u32(len(refs))
        for ref in refs:
            payload += wire.s(ref)
        payload += wire.u32(len(services))
        for name in services:
            payload += wire.s(name)
        r = self._call(wire.OP_PREPARE, bytes(payload))
        list_id = r.u32("list_id")
        keys = [(r.str("join key"), r.type("join key type")) for _ in range(r.u32("join keys"))]
        feats = [(r.str("feature"), r.str("ref"), r.type("feature type")) for _ in range(r.u32("features"))]
        r.done("PREPARE")
        return PreparedFeatures(list_id, keys, feats)

    def get_online_features(self, features=None, service=None, entities=None, at=None,
                            full_feature_names=False, prepared=None):
        """Looks features up for many entities and returns the dict ``fsctl get --json`` prints:
        ``{"metadata": {"feature_names": [...]}, "results": [{"values", "statuses", "event_timestamps"}, ...]}``,
        join keys first. ``entities`` maps every join key to a list (one value per entity);
        ``at`` (ISO-8601 text, datetime or µs) replaces now when judging ``OUTSIDE_MAX_AGE``.
        The selection is prepared once per client and re-prepared when the server forgot it."""
        if entities is None:
            raise ValueError("give entities={join_key: [values]}")
        if prepared is not None:
            return self._get(prepared, entities, at)
        key = self._selection(features, service, full_feature_names)
        for attempt in (0, 1):
            lst = self._prepared.get(key)
            if lst is None:
                lst = self._prepared[key] = self.prepare(list(key[0]), list(key[1]), key[2])
            try:
                return self._get(lst, entities, at)
            except FeatureStoreError as e:
                if attempt or e.code not in _RETRY_CODES:
                    raise
                self._prepared.pop(key, None)

    def _get(self, lst, entities, at):
        names = [n for n, _ in lst._join_keys]
        extra = sorted(set(entities) - set(names))
        if extra:
            raise ValueError(f"entities: {extra[0]!r} is not a join key of these features (join keys: {', '.join(names)})")
        columns = []
        for name in names:
            if name not in entities:
                raise ValueError(f"entities: join key {name!r} is missing (join keys: {', '.join(names)})")
            values = list(entities[name])
            if columns and len(values) != len(columns[0]):
                raise ValueError(f"entities: {name!r} has {len(values)} value(s) but {names[0]!r} has {len(columns[0])}")
            columns.append(values)
        n = len(columns[0]) if columns else 0
        payload = bytearray(b"\x00")
        payload += wire.u32(lst.id)
        payload += wire.i64(wire.NOW if at is None else wire.to_micros(at, "at"))
        payload += wire.u32(n)
        payload += wire.u32(len(names))
        key_types = [_key_type(t) for _, t in lst._join_keys]
        for e in range(n):
            for c, values in enumerate(columns):
                v = values[e]
                t = key_types[c] if not isinstance(v, (str, bytes, bytearray)) else None
                payload += wire.tagged(v, f"entity {e + 1}: join key {names[c]!r}", t)
        r = self._call(wire.OP_GET_ONLINE, bytes(payload))
        r.u32("list_id")
        if r.u8("described"):
            raise ProtocolError("GET_ONLINE by list id came back described", operation="GET_ONLINE", endpoint=self.endpoint)
        count = r.u32("entities")
        nf = r.u32("features")
        if count != n or nf != len(lst._features):
            raise ProtocolError(f"{count} entities × {nf} features for a request of {n} × {len(lst._features)}",
                                operation="GET_ONLINE", endpoint=self.endpoint)
        types = [r.type("feature type") for _ in range(nf)]
        zero = wire.format_micros(0)
        results = []
        for c, (_, t) in enumerate(lst._join_keys):
            values = []
            for e in range(n):
                v = columns[c][e]
                values.append(v if isinstance(v, (int, str)) and not isinstance(v, bool)
                              else wire.Reader(wire.value(t, v, "key")).value(t, "key"))
            results.append({"values": values, "statuses": ["PRESENT"] * n, "event_timestamps": [zero] * n})
        statuses = wire.STATUSES
        for t in types:
            values, stats, stamps = [], [], []
            for _ in range(n):
                st = r.u8("cell status")
                if st > 3:
                    raise ProtocolError(f"unknown cell status {st}", operation="GET_ONLINE", endpoint=self.endpoint)
                stats.append(statuses[st])
                if st == 2:  # NOT_FOUND: no timestamp
                    stamps.append(zero)
                    values.append(None)
                    continue
                stamps.append(wire.format_micros(r.i64("event_timestamp")))
                values.append(r.value(t, "cell value") if st == 0 else None)
            results.append({"values": values, "statuses": stats, "event_timestamps": stamps})
        r.done("GET_ONLINE")
        return {"metadata": {"feature_names": names + [f[0] for f in lst._features]}, "results": results}

    # ------------------------------------------------------------------ writes

    def push(self, table, rows, to="online"):
        """Appends ``rows`` (dicts of column → value) to ``table`` in one transaction: all or none.
        Columns are the join keys, the timestamp field (ISO-8601 text, datetime or µs), and any
        features; a missing key or None is null. Values are converted to the table's types
        (from the catalog): bytes columns take bytes or base64 text, vectors lists of numbers.
        ``to`` is ``"online"``, ``"offline"`` or ``"both"``. Returns ``{"batch_id", "rows"}``."""
        if to not in wire.DESTINATIONS:
            raise ValueError(f"to={to!r}: expected 'online', 'offline' or 'both'")
        rows = list(rows)
        if not rows:
            raise ValueError(f"push to {table!r}: no rows")
        names = []
        seen = set()
        for row in rows:
            for k in row:
                if k not in seen:
                    seen.add(k)
                    names.append(k)
        types = self._table_types(table)
        payload = bytearray(wire.s(table))
        payload += wire.u8(wire.DESTINATIONS[to])
        payload += wire.u32(len(names))
        column_types = []
        for name in names:
            t = types.get(name) if types else None
            if t is None:  # not a column of the table (or no such table): the server says so
                sample = next((row[name] for row in rows if row.get(name) is not None), 0)
                t = wire.infer_type(sample, f"column {name!r}")
            column_types.append(t)
            payload += wire.s(name) + wire.type_descriptor(t)
        payload += wire.u32(len(rows))
        for name, t in zip(names, column_types):
            for i, row in enumerate(rows):
                v = row.get(name)
                if v is None:
                    payload += b"\x00"
                else:
                    payload += b"\x01" + wire.value(t, v, f"push to {table!r}: row {i + 1}: column {name!r}")
        r = self._call(wire.OP_PUSH, bytes(payload))
        out = {"batch_id": r.u64("batch_id"), "rows": r.u32("rows")}
        r.done("PUSH")
        return out

    def _table_types(self, table):
        """``{column: type}`` of ``table`` from the (cached, refreshed once on a miss) catalog."""
        for refresh in (False, True):
            if self._catalog is None or refresh:
                self._catalog = self._read_catalog()
            entities, tables, _ = self._catalog
            t = tables.get(table)
            if t is not None:
                types = {}
                for e in t["entities"]:
                    types.update(entities.get(e, {}))
                types[t["timestamp_field"]] = (8, None)
                if t["created_timestamp_field"]:
                    types[t["created_timestamp_field"]] = (8, None)
                types.update(t["features"])
                return types
        return None

    # ------------------------------------------------------------------ the rest

    def _read_catalog(self):
        r = self._call(wire.OP_CATALOG, b"")
        entities = {}
        for _ in range(r.u32("entities")):
            name = r.str("entity")
            entities[name] = dict((r.str("join key"), r.type("join key type")) for _ in range(r.u32("join keys")))
        tables = {}
        for _ in range(r.u32("tables")):
            name = r.str("table")
            t = {"version": r.u32("version"), "ttl_micros": r.i64("ttl")}
            t["entities"] = [r.str("entity") for _ in range(r.u32("table entities"))]
            t["timestamp_field"] = r.str("timestamp field")
            t["created_timestamp_field"] = r.str("created timestamp field") or None
            t["features"] = dict((r.str("feature"), r.type("feature type")) for _ in range(r.u32("features")))
            tables[name] = t
        services = {}
        for _ in range(r.u32("services")):
            name = r.str("service")
            services[name] = [r.str("ref") for _ in range(r.u32("refs"))]
        r.done("CATALOG")
        return entities, tables, services

    def catalog(self):
        """The store's entities, feature tables (current versions) and services:
        ``{"entities": [{"name", "join_keys": [{"name", "type"}]}], "feature_tables": [{"name",
        "version", "ttl_seconds", "entities", "timestamp_field", "created_timestamp_field",
        "features": [{"name", "type"}]}], "feature_services": [{"name", "features": [refs]}]}``."""
        entities, tables, services = self._catalog = self._read_catalog()
        fields = lambda d: [{"name": n, "type": wire.type_name(t)} for n, t in d.items()]  # noqa: E731
        return {
            "entities": [{"name": n, "join_keys": fields(k)} for n, k in entities.items()],
            "feature_tables": [{
                "name": n, "version": t["version"], "ttl_seconds": t["ttl_micros"] / 1e6,
                "entities": t["entities"], "timestamp_field": t["timestamp_field"],
                "created_timestamp_field": t["created_timestamp_field"], "features": fields(t["features"]),
            } for n, t in tables.items()],
            "feature_services": [{"name": n, "features": refs} for n, refs in services.items()],
        }

    def health(self):
        """``{"status": "serving"|"draining", "uptime_ms", "connections", "requests",
        "map_size_bytes", "map_used_bytes", "readers_used", "readers_max"}``."""
        r = self._call(wire.OP_HEALTH, b"")
        out = {"status": "draining" if r.u8("status") else "serving", "uptime_ms": r.u64("uptime_ms"),
               "connections": r.u32("connections"), "requests": r.u64("requests"),
               "map_size_bytes": r.u64("map_size_bytes"), "map_used_bytes": r.u64("map_used_bytes"),
               "readers_used": r.u32("readers_used"), "readers_max": r.u32("readers_max")}
        r.done("HEALTH")
        return out

    def authenticate(self, token):
        """Re-authenticates this connection with ``token``; returns the scope granted."""
        r = self._call(wire.OP_AUTH, wire.s(token))
        scope = wire.SCOPES[r.u8("scope")]
        r.done("AUTH")
        return scope

    def predict(self, model, entities=None, request_features=None, at=None, details=False):
        """Scores ``entities`` with the registered model ``model`` (``"churn/3"``,
        ``"churn@production"``, ``"churn"``): the server reads each entity's features
        from its online store, applies the alias's canary split, and answers what
        ``fsctl score`` writes for the same entities.

        ``entities`` maps every join key of the model to a list (one value per entity).
        ``request_features`` maps model inputs (``"user_stats:age"``, or ``"age"`` when
        unambiguous) to a list of numbers (None = use the stored value) that replace
        the stored values. ``at`` (ISO-8601 text, datetime or µs) replaces now for ttls.

        Returns one dict per entity, in order, as a ``fsctl score --out x.jsonl`` row:
        the join keys, ``"model_version"``, then ``"prediction"`` (or ``"prediction_0"`` …
        for k classes). With ``details=True`` each row also has ``"status"``
        (``"COMPLETE"``, ``"MISSING_INPUTS"``, ``"NO_INPUTS"``) and ``"inputs"``
        (``{input ref: value or None}``, the vector the model saw).

        >>> c.predict("churn@production", entities={"user_id": [1, 2]})
        [{"user_id": 1, "model_version": 3, "prediction": 0.81}, {"user_id": 2, "model_version": 4, ...}]
        """
        if not entities:
            raise ValueError("give entities={join_key: [values]}")
        names = sorted(entities)
        columns = [list(entities[name]) for name in names]
        n = len(columns[0])
        for name, values in zip(names, columns):
            if len(values) != n:
                raise ValueError(f"entities: {name!r} has {len(values)} value(s) but {names[0]!r} has {n}")
        request_features = request_features or {}
        fnames = sorted(request_features)
        fcolumns = [list(request_features[name]) for name in fnames]
        for name, values in zip(fnames, fcolumns):
            if len(values) != n:
                raise ValueError(f"request_features: {name!r} has {len(values)} value(s) for {n} entities")
        payload = bytearray(wire.s(model))
        payload += wire.u8(1 if details else 0)
        payload += wire.i64(wire.NOW if at is None else wire.to_micros(at, "at"))
        payload += wire.u32(len(names))
        for name in names:
            payload += wire.s(name)
        payload += wire.u32(n)
        for e in range(n):
            for c, name in enumerate(names):
                payload += wire.tagged(columns[c][e], f"entity {e + 1}: join key {name!r}")
        payload += wire.u32(len(fnames))
        for name in fnames:
            payload += wire.s(name)
        for e in range(n):
            for c, name in enumerate(fnames):
                v = fcolumns[c][e]
                if v is None:
                    payload += b"\x00"
                else:
                    payload += b"\x01" + wire.value((5, None), v, f"entity {e + 1}: request feature {name!r}")
        r = self._call(wire.OP_PREDICT, bytes(payload))
        r.str("model")
        outputs = [r.str("output") for _ in range(r.u32("outputs"))]
        versions = {}
        for _ in range(r.u32("versions")):
            v = r.u32("version")
            versions[v] = [r.str("input") for _ in range(r.u32("inputs"))]
        with_inputs = r.u8("includes_inputs")
        count = r.u32("entities")
        if count != n:
            raise ProtocolError(f"{count} predictions for {n} entities", operation="PREDICT", endpoint=self.endpoint)
        rows = []
        for e in range(n):
            status = r.u8("status")
            if status > 2:
                raise ProtocolError(f"unknown prediction status {status}", operation="PREDICT", endpoint=self.endpoint)
            version = r.u32("entity version")
            row = {name: columns[c][e] for c, name in enumerate(names)}
            row["model_version"] = version
            for o in outputs:
                row[o] = r.unpack(wire._F64, "score")
            if details:
                row["status"] = wire.PREDICTION_STATUSES[status]
            if with_inputs:
                if version not in versions:
                    raise ProtocolError(f"entity {e + 1}: version {version} is not among the reply's versions",
                                        operation="PREDICT", endpoint=self.endpoint)
                values = [r.unpack(wire._F64, "input") for _ in versions[version]]
                row["inputs"] = {ref: (x if x == x else None) for ref, x in zip(versions[version], values)}
            rows.append(row)
        r.done("PREDICT")
        return rows


def _key_type(t):
    """The tag a Python int key is sent as: int64 for int32/int64 keys (the server
    narrows), the key's own type otherwise."""
    return (3, None) if t[0] in (2, 3) else t
