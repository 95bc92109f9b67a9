"""Domain values as JSON and back, for caches shared between replicas (Redis).

Type-tagged and closed: only the dataclasses and enums of `facade.domain` can be decoded, by
name, so a value read from a shared store can never name arbitrary code (the reason there is no
pickle here). Tuples, dates, times with their offsets and decimals come back as they went in, so
a decoded value equals the original.
"""

import dataclasses
import datetime as dt
import decimal
import enum
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import Any, Final

import facade.domain

_TYPE: Final = "$t"


@cache
def _registry() -> dict[str, type]:
    """Every dataclass and enum defined in a `facade.domain` module, by `module:qualname`."""
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(facade.domain.__path__):
        module = importlib.import_module(f"facade.domain.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and (
                dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum)
            ):
                found[_name(cls)] = cls
    return found


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # first: a StrEnum's member is a str too
        return {_TYPE: _name(type(value)), "v": value.name}
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return {_TYPE: "float", "v": repr(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {_TYPE: _name(type(value)), "v": fields}
    if isinstance(value, dt.datetime):
        return {_TYPE: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TYPE: "date", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {_TYPE: "decimal", "v": str(value)}
    if isinstance(value, tuple):
        return {_TYPE: "tuple", "v": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, bytes):
        return {_TYPE: "bytes", "v": value.hex()}
    raise TypeError(f"cannot encode a {type(value).__qualname__}")


_SCALARS: Final[dict[str, Callable[[str], Any]]] = {
    "float": float,
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "decimal": decimal.Decimal,
    "bytes": bytes.fromhex,
}


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    kind, value = data[_TYPE], data["v"]
    if kind in _SCALARS:
        return _SCALARS[kind](value)
    if kind == "tuple":
        return tuple(_decode(item) for item in value)
    cls = _registry().get(kind)
    if cls is None:
        raise ValueError(f"not a domain type: {kind!r}")
    if issubclass(cls, enum.Enum):
        return cls[value]
    return cls(**{name: _decode(item) for name, item in value.items()})


def encode(value: Any) -> bytes:
    """`value` (domain objects, lists and tuples of them, scalars) as compact JSON bytes."""
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":")).encode()


def decode(data: bytes) -> Any:
    """What `encode` was given; `ValueError` for anything it could not have written."""
    try:
        return _decode(json.loads(data))
    except (KeyError, TypeError, AttributeError, decimal.InvalidOperation) as exc:
        raise ValueError(f"not an encoded domain value ({type(exc).__name__})") from None
