"""The request bodies of the JSON API, declared once: each is a tuple of
:class:`Field`, from which both the validation (:func:`validate`) and the
JSON Schema of the OpenAPI document (:func:`json_schema`) are derived.

Validation is strict and names the field at fault: an unknown field, a
wrong type (``true`` is not a number, ``1`` is not a boolean), a value out
of range or not among the choices, a text that is not valid Unicode (a
lone surrogate sent as ``\\ud800``).

``null`` has one meaning in every body: a field given as ``null`` is a
field not given. An optional field then takes its default, and a required
one is missing (``missing_field``, as when it is left out); the JSON
Schema says so (an optional field's type includes ``"null"``, a required
one's does not). An item of a list is a value, never a field: ``null``
there is a wrong type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, invalid

#: JSON types by the name the messages use.
_TYPE_NAMES = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    list: "a list",
}


@dataclass(frozen=True)
class Field:
    """One field of a request body.

    ``kind``: ``str``, ``bool``, ``int`` or ``list`` (a list of strings);
    ``choices``: the allowed strings; ``low``/``high``: the range of an
    integer; ``required``: the body must have it."""

    name: str
    kind: type
    description: str
    default: Any = None
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    required: bool = False

    def check(self, value: Any) -> Any:
        """``value`` if it fits this field, the default when ``value`` is
        None (the field not given, or given as ``null``), else an
        :class:`ApiError` naming the field."""
        if value is None:
            if self.required:
                raise ApiError(
                    422,
                    "missing_field",
                    f"the field {self.name!r} is required (null counts as not given): "
                    f"send it as {_TYPE_NAMES[self.kind]}",
                    self.name,
                )
            return self.default
        fits = type(value) is self.kind  # bool is not an int here
        if not fits:
            got = _json_type(value)
            if self.kind is int and type(value) is float and math.isfinite(value):
                got = repr(value)  # 5.0 is no whole number in JSON's types: say which
                if value.is_integer():
                    got += f" (send {int(value)}, without a decimal point or exponent)"
            raise invalid(self.name, f"expected {_TYPE_NAMES[self.kind]}, got {got}")
        if self.kind is str:
            check_text(value, self.name)
            if self.choices and value not in self.choices:
                raise invalid(self.name, f"{value[:40]!r} is not one of {', '.join(self.choices)}")
        elif self.kind is int:
            if (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high
            ):
                raise invalid(self.name, f"{value} is out of range ({self.low} to {self.high})")
        elif self.kind is list:
            for i, item in enumerate(value):
                where = f"{self.name}[{i}]"
                if type(item) is not str:
                    raise invalid(where, f"expected a string, got {_json_type(item)}")
                check_text(item, where)
        return value

    def schema(self, max_items: int | None = None) -> dict[str, Any]:
        """This field's JSON Schema: an optional field also takes ``null``
        (the same as leaving it out); ``max_items``: a list's limit."""
        out: dict[str, Any] = {"description": self.description}
        kind = {str: "string", bool: "boolean", int: "integer", list: "array"}[self.kind]
        out["type"] = kind if self.required else [kind, "null"]
        if self.kind is list:
            out["items"] = {"type": "string"}
            if max_items is not None:
                out["maxItems"] = max_items
        if self.choices:
            out["enum"] = [*self.choices] if self.required else [*self.choices, None]
        if self.low is not None:
            out["minimum"] = self.low
        if self.high is not None:
            out["maximum"] = self.high
        if self.default is not None:
            out["default"] = self.default
        return out


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def check_text(text: str, where: str) -> None:
    """A text must be valid Unicode: JSON can spell a lone surrogate
    (``\\ud800``), which no UTF-8 answer can carry."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise invalid(
            where,
            f"lone surrogate U+{ord(text[exc.start]):04X} at character {exc.start}; "
            "send valid Unicode (a surrogate pair, or the character itself in UTF-8)",
        ) from None


def validate(body: Any, fields: tuple[Field, ...]) -> dict[str, Any]:
    """The values of ``fields`` in ``body`` (a parsed JSON document), with
    defaults for those it lacks; an :class:`ApiError` names what is wrong."""
    if not isinstance(body, dict):
        raise ApiError(
            422, "invalid_body", f"the body must be a JSON object, not {_json_type(body)}"
        )
    known = {f.name: f for f in fields}
    for key in body:
        if key not in known:
            raise ApiError(
                422,
                "unknown_field",
                f"unknown field {key[:40]!r} (this endpoint takes: {', '.join(known)})",
                key[:40],
            )
    values: dict[str, Any] = {}
    for f in fields:
        if f.required and f.name not in body:
            raise ApiError(
                422,
                "missing_field",
                f"the field {f.name!r} is required: send it as {_TYPE_NAMES[f.kind]}",
                f.name,
            )
        values[f.name] = f.check(body.get(f.name))
    return values


#: What the JSON Schema of every body says of ``null``.
NULL_RULE = (
    "A field given as null is a field not given: an optional field takes its default, "
    "a required one is missing (422 missing_field)."
)


def json_schema(
    fields: tuple[Field, ...], max_items: dict[str, int] | None = None, **extra: Any
) -> dict[str, Any]:
    """The JSON Schema of a body made of ``fields``; ``max_items``: the
    most items of each list field that has a limit, by name."""
    limits = max_items or {}
    schema: dict[str, Any] = {
        "type": "object",
        "description": NULL_RULE,
        "additionalProperties": False,
        "properties": {f.name: f.schema(limits.get(f.name)) for f in fields},
    }
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema
