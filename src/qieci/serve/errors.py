"""The one error a request can cause: :class:`ApiError`, answered as JSON.

Every answer to a bad request is ``{"error": {"code": ..., "message": ...}}``
with a 4xx status (``"field"`` names the part of the body at fault when
there is one). A 500 is a bug in the service, never the client's fault.
"""

from __future__ import annotations

import json
from typing import Any


class ApiError(Exception):
    """A request the service cannot answer: ``status`` (4xx, or 503/504 when
    the service is busy or the work took too long), a short machine-readable
    ``code`` and a ``message`` that says what is wrong and what to do."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> bytes:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        try:
            return json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate of the request's (a field's name)
            return json.dumps({"error": error}).encode("ascii")


def invalid(field: str, message: str) -> ApiError:
    """A field of the body with a wrong type or value (422)."""
    return ApiError(422, "invalid_field", f"{field}: {message}", field)
