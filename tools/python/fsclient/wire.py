"""Encoding and decoding of docs/wire-protocol.md (version 1), standard library only.

Values on the wire are big-endian. Types are ``(tag, dimension)`` pairs:
dimension is None except for ``float32[N]`` vectors.
"""

import base64
import datetime as _dt
import math
import struct

from .errors import ProtocolError

MAGIC = b"FSWP"
VERSION = 1
HEADER = struct.Struct(">IHHI")  # length, opcode, flags, request id
NOW = -(1 << 63)  # GET_ONLINE "at" meaning now

OP_HELLO, OP_AUTH, OP_HEALTH, OP_CATALOG = 0x0001, 0x0002, 0x0003, 0x0004
OP_PREPARE, OP_GET_ONLINE, OP_PUSH, OP_PREDICT = 0x0010, 0x0011, 0x0012, 0x0020
OP_NAMES = {
    OP_HELLO: "HELLO", OP_AUTH: "AUTH", OP_HEALTH: "HEALTH", OP_CATALOG: "CATALOG",
    OP_PREPARE: "PREPARE", OP_GET_ONLINE: "GET_ONLINE", OP_PUSH: "PUSH", OP_PREDICT: "PREDICT",
}
FLAG_REPLY, FLAG_ERROR = 1, 2

TYPE_NAMES = {1: "bool", 2: "int32", 3: "int64", 4: "float32", 5: "float64",
              6: "string", 7: "bytes", 8: "timestamp"}
TAGS = {name: tag for tag, name in TYPE_NAMES.items()}
VECTOR = 9
STATUSES = ("PRESENT", "NULL_VALUE", "NOT_FOUND", "OUTSIDE_MAX_AGE")
PREDICTION_STATUSES = ("COMPLETE", "MISSING_INPUTS", "NO_INPUTS")
SCOPES = ("none", "read", "write", "admin")
DESTINATIONS = {"offline": 0, "online": 1, "both": 2}

_F32 = struct.Struct(">f")
_F64 = struct.Struct(">d")
_I32 = struct.Struct(">i")
_I64 = struct.Struct(">q")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")


def type_name(t):
    """``("float32[8]")`` for ``(9, 8)``, ``"int64"`` for ``(3, None)``."""
    tag, dim = t
    return f"float32[{dim}]" if tag == VECTOR else TYPE_NAMES[tag]


# --------------------------------------------------------------------------
# writing


def s(text):
    """A ``str``: u16 length + UTF-8."""
    b = text.encode("utf-8")
    if len(b) > 0xFFFF:
        raise ValueError(f"{text[:40]!r}…: a name is at most 65535 bytes of UTF-8")
    return _U16.pack(len(b)) + b


def u8(x):
    return bytes((x,))


def u32(x):
    return _U32.pack(x)


def i64(x):
    return _I64.pack(x)


def type_descriptor(t):
    tag, dim = t
    return bytes((tag,)) + (_U32.pack(dim) if tag == VECTOR else b"")


def value(t, v, what):
    """The untagged encoding of Python value ``v`` as type ``t``; ``what`` names it in errors."""
    tag, dim = t
    try:
        if tag == 1:
            if not isinstance(v, bool) and v not in (0, 1):
                raise ValueError(f"{what}: expected a bool, got {v!r}")
            return b"\x01" if v else b"\x00"
        if tag == 2:
            return _I32.pack(_int(v, what))
        if tag == 3:
            return _I64.pack(_int(v, what))
        if tag == 4:
            return _F32.pack(_float(v, what))
        if tag == 5:
            return _F64.pack(_float(v, what))
        if tag == 6:
            if not isinstance(v, str):
                raise ValueError(f"{what}: expected a str, got {v!r}")
            b = v.encode("utf-8")
            return _U32.pack(len(b)) + b
        if tag == 7:
            if isinstance(v, str):
                v = base64.b64decode(v, validate=True)
            if not isinstance(v, (bytes, bytearray, memoryview)):
                raise ValueError(f"{what}: expected bytes (or base64 text), got {v!r}")
            return _U32.pack(len(v)) + bytes(v)
        if tag == 8:
            return _I64.pack(to_micros(v, what))
        if tag == VECTOR:
            if isinstance(v, (str, bytes)) or not hasattr(v, "__len__"):
                raise ValueError(f"{what}: expected a list of {dim} numbers, got {v!r}")
            if len(v) != dim:
                raise ValueError(f"{what}: expected {dim} numbers, got {len(v)}")
            return struct.pack(f">{dim}f", *(_float(x, what) for x in v))
    except struct.error as e:
        raise ValueError(f"{what}: {v!r} does not fit {type_name(t)} ({e})") from None
    raise ValueError(f"{what}: unknown type tag {tag}")


def _int(v, what):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"{what}: expected an int, got {v!r}")
    return v


def _float(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{what}: expected a number, got {v!r}")
    return float(v)


def tagged(v, what, t=None):
    """A tagged value: the descriptor of ``t`` (or of ``v``'s Python type) and the value."""
    if t is None:
        t = infer_type(v, what)
    return type_descriptor(t) + value(t, v, what)


def infer_type(v, what):
    """The wire type of a Python value: bool, int → int64, float → float64,
    str → string, bytes → bytes, datetime → timestamp, list → float32[N]."""
    if isinstance(v, bool):
        return (1, None)
    if isinstance(v, int):
        return (3, None)
    if isinstance(v, float):
        return (5, None)
    if isinstance(v, str):
        return (6, None)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return (7, None)
    if isinstance(v, _dt.datetime):
        return (8, None)
    if isinstance(v, (list, tuple)) and v:
        return (VECTOR, len(v))
    raise ValueError(f"{what}: cannot send {v!r} ({type(v).__name__})")


# --------------------------------------------------------------------------
# timestamps

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def to_micros(v, what="time"):
    """UTC microseconds of an int (already µs), a datetime (naive = UTC) or ISO-8601 text."""
    if isinstance(v, bool):
        raise ValueError(f"{what}: expected a timestamp, got {v!r}")
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        text = v.strip()
        try:
            d = _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            raise ValueError(f"{what}: cannot parse {v!r} as an ISO-8601 timestamp") from None
        v = d
    if isinstance(v, _dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=_dt.timezone.utc)
        return (v - _EPOCH) // _dt.timedelta(microseconds=1)
    raise ValueError(f"{what}: expected a timestamp (ISO-8601 text, datetime or int µs), got {v!r}")


def _civil_from_days(z):
    """Proleptic Gregorian (year, month, day) of days since 1970-01-01 (H. Hinnant)."""
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return (y + 1 if m <= 2 else y), m, d


def format_micros(t):
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``, as ``fsctl`` prints timestamps."""
    seconds, fraction = divmod(t, 1_000_000)
    days, sec = divmod(seconds, 86400)
    y, m, d = _civil_from_days(days)
    year = f"{y:04d}" if 0 <= y <= 9999 else ("-" if y < 0 else "+") + str(abs(y))
    text = f"{year}-{m:02d}-{d:02d}T{sec // 3600:02d}:{sec % 3600 // 60:02d}:{sec % 60:02d}"
    return text + (f".{fraction:06d}Z" if fraction else "Z")


def f32_json(x):
    """A float32 as ``fsctl`` prints it: the shortest decimal that reads back
    to the same float32 (so 0.1f is 0.1, not 0.10000000149011612); None if not finite."""
    if not math.isfinite(x):
        return None
    for digits in range(1, 10):
        text = "%.*g" % (digits, x)
        if _F32.unpack(_F32.pack(float(text)))[0] == x:
            return float(text)
    return x


# --------------------------------------------------------------------------
# reading


class Reader:
    """Checked reads off one payload; a short payload is a ProtocolError naming the field."""

    __slots__ = ("b", "i")

    def __init__(self, payload):
        self.b = payload
        self.i = 0

    def _take(self, n, field):
        j = self.i + n
        if j > len(self.b):
            raise ProtocolError(f"truncated reply: {field}")
        chunk = self.b[self.i:j]
        self.i = j
        return chunk

    def unpack(self, st, field):
        j = self.i + st.size
        if j > len(self.b):
            raise ProtocolError(f"truncated reply: {field}")
        x = st.unpack_from(self.b, self.i)[0]
        self.i = j
        return x

    def u8(self, field):
        if self.i >= len(self.b):
            raise ProtocolError(f"truncated reply: {field}")
        x = self.b[self.i]
        self.i += 1
        return x

    def u16(self, field):
        return self.unpack(_U16, field)

    def u32(self, field):
        return self.unpack(_U32, field)

    def u64(self, field):
        return self.unpack(_U64, field)

    def i64(self, field):
        return self.unpack(_I64, field)

    def str(self, field):
        n = self.u16(field)
        return bytes(self._take(n, field)).decode("utf-8")

    def type(self, field):
        tag = self.u8(field)
        if tag == VECTOR:
            return (tag, self.u32(field))
        if tag not in TYPE_NAMES:
            raise ProtocolError(f"{field}: unknown type tag {tag}")
        return (tag, None)

    def value(self, t, field):
        """A value of type ``t`` in the JSON form ``fsctl get --json`` prints."""
        tag, dim = t
        if tag == 1:
            return self.u8(field) == 1
        if tag == 2:
            return self.unpack(_I32, field)
        if tag == 3:
            return self.unpack(_I64, field)
        if tag == 4:
            return f32_json(self.unpack(_F32, field))
        if tag == 5:
            x = self.unpack(_F64, field)
            return x if math.isfinite(x) else None
        if tag == 6:
            return bytes(self._take(self.u32(field), field)).decode("utf-8")
        if tag == 7:
            return base64.b64encode(bytes(self._take(self.u32(field), field))).decode("ascii")
        if tag == 8:
            return format_micros(self.unpack(_I64, field))
        if tag == VECTOR:
            raw = self._take(4 * dim, field)
            return [f32_json(x) for x in struct.unpack(f">{dim}f", raw)]
        raise ProtocolError(f"{field}: unknown type tag {tag}")

    def done(self, what):
        if self.i != len(self.b):
            raise ProtocolError(f"{what}: {len(self.b) - self.i} trailing byte(s)")
