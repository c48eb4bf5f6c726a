"""A minimal Mapbox Vector Tile (v2) codec for tests: protobuf wire format by hand, no library.

Enough of https://github.com/mapbox/vector-tile-spec (2.1) to read what
PostGIS's ``ST_AsMVT`` writes (layers, keys, values, features, geometry
commands) and to write the same for the in-memory tile source.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

POINT, LINESTRING = 1, 2
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_MOVE_TO, _LINE_TO, _CLOSE_PATH = 1, 2, 7

Value = str | float | int | bool


@dataclass
class Feature:
    """One feature: its geometry type, parts of tile-coordinate points, and properties."""

    type: int
    parts: list[list[tuple[int, int]]]
    properties: dict[str, Value] = field(default_factory=dict)


@dataclass
class Layer:
    """One named layer of a tile."""

    name: str
    features: list[Feature]
    version: int = 2
    extent: int = 4096


def decode(tile: bytes) -> dict[str, Layer]:
    """The layers of a tile by name (an empty tile has none); fails on anything malformed."""
    layers = {}
    for number, _, value in _fields(tile):
        assert number == 3, f"a tile holds layers only, not field {number}"
        layer = _layer(_bytes(value))
        layers[layer.name] = layer
    return layers


def encode(layers: Sequence[Layer]) -> bytes:
    """A tile of ``layers`` (features with no parts are left out; no layer: ``b""``)."""
    return b"".join(_message(3, _encode_layer(layer)) for layer in layers if layer.features)


def _layer(data: bytes) -> Layer:
    name, version, extent = "", 1, 4096
    keys: list[str] = []
    values: list[Value] = []
    raw_features: list[bytes] = []
    for number, _, value in _fields(data):
        if number == 1:
            name = _text(value)
        elif number == 2:
            raw_features.append(_bytes(value))
        elif number == 3:
            keys.append(_text(value))
        elif number == 4:
            values.append(_value(_bytes(value)))
        elif number == 5:
            extent = _int(value)
        elif number == 15:
            version = _int(value)
    features = [_feature(raw, keys, values) for raw in raw_features]
    return Layer(name, features, version, extent)


def _feature(data: bytes, keys: list[str], values: list[Value]) -> Feature:
    kind, tags, geometry = 0, [], []
    for number, _, value in _fields(data):
        if number == 2:
            tags = _packed(_bytes(value))
        elif number == 3:
            kind = _int(value)
        elif number == 4:
            geometry = _packed(_bytes(value))
    properties = {keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)}
    return Feature(kind, _parts(geometry), properties)


def _parts(commands: list[int]) -> list[list[tuple[int, int]]]:
    parts: list[list[tuple[int, int]]] = []
    x = y = i = 0
    while i < len(commands):
        command, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if command == _CLOSE_PATH:
            continue
        assert command in (_MOVE_TO, _LINE_TO), f"unknown geometry command {command}"
        for _ in range(count):
            x, y = x + _unzigzag(commands[i]), y + _unzigzag(commands[i + 1])
            i += 2
            if command == _MOVE_TO:
                parts.append([])
            parts[-1].append((x, y))
    return parts


def _value(data: bytes) -> Value:
    for number, _, value in _fields(data):
        if number == 1:
            return _text(value)
        if number == 2:
            return float(struct.unpack("<f", _bytes(value))[0])
        if number == 3:
            return float(struct.unpack("<d", _bytes(value))[0])
        if number in (4, 5):
            return _int(value)
        if number == 6:
            return _unzigzag(_int(value))
        if number == 7:
            return bool(value)
    raise AssertionError("an empty value")


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, i = _varint(data, i)
            yield number, wire, value
        elif wire == _BYTES:
            size, i = _varint(data, i)
            assert i + size <= len(data), "a field runs past the end"
            yield number, wire, data[i : i + size]
            i += size
        elif wire in (_FIXED64, _FIXED32):
            size = 8 if wire == _FIXED64 else 4
            yield number, wire, data[i : i + size]
            i += size
        else:
            raise AssertionError(f"wire type {wire} is not in vector tiles")


def _varint(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i


def _packed(data: bytes) -> list[int]:
    out, i = [], 0
    while i < len(data):
        value, i = _varint(data, i)
        out.append(value)
    return out


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _text(value: int | bytes) -> str:
    return _bytes(value).decode("utf-8")


def _bytes(value: int | bytes) -> bytes:
    assert isinstance(value, bytes), "expected a length-delimited field"
    return value


def _int(value: int | bytes) -> int:
    assert isinstance(value, int), "expected a varint"
    return value


# Writing.


def _encode_layer(layer: Layer) -> bytes:
    keys: dict[str, int] = {}
    values: dict[tuple[type, Value], int] = {}
    features = b""
    for feature in layer.features:
        tags = []
        for key, value in feature.properties.items():
            tags += [
                keys.setdefault(key, len(keys)),
                values.setdefault((type(value), value), len(values)),
            ]
        body = _message(2, _packed_bytes(tags)) + _key(3, _VARINT) + _write_varint(feature.type)
        body += _message(4, _packed_bytes(_commands(feature)))
        features += _message(2, body)
    out = _key(15, _VARINT) + _write_varint(layer.version) + _message(1, layer.name.encode())
    out += features + b"".join(_message(3, key.encode()) for key in keys)
    out += b"".join(_message(4, _encode_value(value)) for _, value in values)
    return out + _key(5, _VARINT) + _write_varint(layer.extent)


def _commands(feature: Feature) -> list[int]:
    out: list[int] = []
    x = y = 0
    for part in feature.parts:
        for index, (px, py) in enumerate(part):
            if index == 0:
                out.append(_MOVE_TO | 1 << 3)
            elif index == 1:
                out.append(_LINE_TO | (len(part) - 1) << 3)
            out += [_zigzag(px - x), _zigzag(py - y)]
            x, y = px, py
    return out


def _encode_value(value: Value) -> bytes:
    if isinstance(value, str):
        return _message(1, value.encode())
    if isinstance(value, bool):
        return _key(7, _VARINT) + _write_varint(int(value))
    if isinstance(value, float):
        return _key(3, _FIXED64) + struct.pack("<d", value)
    return _key(6, _VARINT) + _write_varint(_zigzag(value))


def _message(number: int, payload: bytes) -> bytes:
    return _key(number, _BYTES) + _write_varint(len(payload)) + payload


def _key(number: int, wire: int) -> bytes:
    return _write_varint(number << 3 | wire)


def _packed_bytes(values: Sequence[int]) -> bytes:
    return b"".join(_write_varint(v) for v in values)


def _write_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def properties(tile: bytes, layer: str) -> list[Mapping[str, Value]]:
    """The properties of every feature of one layer of a tile (none when it is absent)."""
    found = decode(tile).get(layer)
    return [] if found is None else [f.properties for f in found.features]
