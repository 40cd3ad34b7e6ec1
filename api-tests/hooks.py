"""What Schemathesis must be told about Hearth's documents (SCHEMATHESIS_HOOKS).

Each hook teaches it a rule the documents state in words because JSON
Schema cannot hold it; none of them hides an answer from the checks.

- `hearth-cursor`: a cursor is opaque; only one a page gave out is valid
  (any other is a 400 `bad_query`, as documented). Valid ones are generated
  the way the services make them: base64url of {"t": <time>, "i": <uuid>}.
- `x-hearth-after-now`: a time that must be in the future. A generated time
  in the past is moved a year ahead before the call (a past one is a
  documented 422).
- `x-hearth-exactly-one-of` (`GET /donations`): see `_one_of`.
- `Idempotency-Key`: a key the fuzzer repeats with another body is a
  documented 422 `idempotency_key_reused`, not a rejection of valid data;
  before the call, each valid key is replaced by a fresh one (keys the
  services refuse are sent as generated).
"""

import base64
import datetime
import json
import uuid

import schemathesis
from hypothesis import strategies as st


def _cursor(moment, ident):
    raw = json.dumps({"t": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "i": str(ident)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


schemathesis.openapi.format(
    "hearth-cursor",
    st.builds(
        _cursor,
        st.datetimes(min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(2100, 1, 1)),
        st.uuids(),
    )
    | st.just(""),
)


def _after_now_fields(raw):
    """Names of every property the document marks `x-hearth-after-now`."""
    names = set()

    def walk(node):
        if isinstance(node, dict):
            for name, schema in (node.get("properties") or {}).items():
                if isinstance(schema, dict) and schema.get("x-hearth-after-now"):
                    names.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(raw)
    return names


_FIELDS = {}


def _future(value):
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return value  # not a time: the case is about something else
    if moment.tzinfo is None:
        return value
    now = datetime.datetime.now(datetime.timezone.utc)
    if moment > now + datetime.timedelta(minutes=5):
        return value
    return (now + datetime.timedelta(days=365)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _fresh_key(key):
    """A new key, when `key` is one the services accept: a UUID's 32 hex
    digits, or as many as `key` had when that is more (a long key stays as
    long). Shorter keys would repeat: there are only 16 of one digit."""
    visible = all(c == "\t" or " " <= c <= "~" for c in key)
    if not (1 <= len(key) <= 255) or not visible or not key.strip(" \t"):
        return key
    fresh = uuid.uuid4().hex
    while len(fresh) < len(key):
        fresh += uuid.uuid4().hex
    return fresh[: max(len(key), 32)]


@schemathesis.hook
def before_call(context, case, kwargs):
    if isinstance(case.body, dict) and context.operation is not None:
        raw = context.operation.schema.raw_schema
        fields = _FIELDS.setdefault(id(raw), _after_now_fields(raw))
        for name in fields & case.body.keys():
            if isinstance(case.body[name], str):
                case.body[name] = _future(case.body[name])
    for name in list(case.headers or {}):
        if name.lower() == "idempotency-key" and isinstance(case.headers[name], str):
            case.headers[name] = _fresh_key(case.headers[name])
    _one_of(context, case)


def _one_of(context, case):
    """`x-hearth-exactly-one-of` on an operation: of these query parameters
    (a boolean counts when true) exactly one is given; anything else is a
    documented 400. The first one given is kept; when none is, the first
    (an id) is added with a new UUID."""
    if context.operation is None:
        return
    names = context.operation.definition.raw.get("x-hearth-exactly-one-of")
    if not names:
        return
    if case.query is None:
        case.query = {}
    if not isinstance(case.query, dict):
        return
    given = [name for name in names if _given(case.query, name)]
    for name in given[1:]:
        del case.query[name]
    if not given:
        case.query[names[0]] = str(uuid.uuid4())


def _given(query, name):
    value = query.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if name in ("mine", "received"):
        return value is True or value == "true"
    return value is not None

