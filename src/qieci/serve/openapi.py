"""The OpenAPI document of the service (``GET /openapi.json``), built from
the declared request fields (:mod:`.requests`) and the server's limits so
that it cannot drift from what the service checks.

Every operation declares every status the service answers it with (the
tests send bad requests of every kind and check that): 405 is declared on
each operation of a path, for the methods the path has no operation for.
The page at ``/`` and its files are no part of the API, and not in it."""

from __future__ import annotations

import copy
from typing import Any

from .._version import __version__
from .config import Limits
from .requests import CUT_FIELDS, KEYWORDS_FIELDS, cut_exactly_one
from .schema import NULL_RULE, json_schema

_WORD = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "description": "with offsets or pos: the word, its character offsets, its tag",
            "properties": {
                "word": {"type": "string"},
                "start": {"type": "integer"},
                "end": {"type": "integer"},
                "tag": {"type": ["string", "null"]},
            },
            "required": ["word", "start", "end", "tag"],
        },
    ]
}

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "what is wrong, what to do"},
                "field": {
                    "type": "string",
                    "description": "the part of the request at fault: a field of the body, "
                    'or "query" for the query string',
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}


_BUG = "a bug in qieci serve, never the client's fault: please report it"


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(what: dict[int, str]) -> dict[str, Any]:
    """The error answers of an operation: each status and when it comes."""
    return {
        str(status): _json({"$ref": "#/components/schemas/Error"}, text)
        for status, text in sorted(what.items())
    }


def _body_errors(limits: Limits, batch: bool) -> dict[str, Any]:
    """The error answers of a POST endpoint; ``batch``: it takes "texts"."""
    too_large = f"the body is over {limits.max_body} bytes (the server's --max-body)"
    if batch:
        too_large += f', or "texts" has more than {limits.max_batch} texts (--max-batch)'
    return _errors(
        {
            400: "the body is not UTF-8 JSON (or its Content-Length is not a number), or the "
            "address has a query string (options are fields of the body)",
            405: "another method than POST on this path (Allow: POST)",
            408: f"the body did not arrive within {limits.timeout:g} s (--timeout); the "
            "connection is closed",
            413: too_large + "; the connection is closed",
            415: "a Content-Encoding other than identity: send the body uncompressed "
            "(Content-Type is not checked: the body is read as JSON whatever it says)",
            422: "a field is missing, unknown, of a wrong type, or not offered",
            500: _BUG,
            503: "too many requests in progress, or a setting that fails to load",
            504: f"the work took longer than {limits.timeout:g} s (--timeout)",
        }
    )


def _get_errors(pooled: bool = False) -> dict[str, Any]:
    """The error answers of a GET route; ``pooled``: it runs in the
    segmentation threads (503 when they are full, 504 past the timeout)."""
    what = {
        400: "the address has a query string: this route takes no parameters",
        405: "another method than GET (or HEAD) on this path (Allow: GET, HEAD)",
        500: _BUG,
    }
    if pooled:
        what[503] = "too many requests in progress"
        what[504] = "the answer took longer than the per-request timeout (--timeout)"
    return _errors(what)


def _request_body(schema: str, limits: Limits) -> dict[str, Any]:
    return {
        "required": True,
        "description": f"UTF-8 JSON, at most {limits.max_body} bytes (--max-body), whatever "
        f"its Content-Type says. {NULL_RULE}",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def document(limits: Limits | None = None) -> dict[str, Any]:
    """The OpenAPI document of a server held to ``limits`` (default:
    :class:`~.config.Limits`' defaults)."""
    limits = limits or Limits()
    words = {"type": "array", "items": {"$ref": "#/components/schemas/Word"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "qieci",
            "version": __version__,
            "description": "Chinese word segmentation: the jieba and learned engines over HTTP. "
            'Every error is JSON ({"error": {"code", "message", "field"}}); '
            "the demo page at / is no part of the API.",
        },
        "paths": {
            "/v1/cut": {
                "post": {
                    "summary": "Segment a text, or a batch of texts",
                    "requestBody": _request_body("Cut", limits),
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "words": words,
                                    "results": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {"words": words},
                                        },
                                    },
                                    "setting": {"type": "string"},
                                },
                            },
                            '{"words": [...]} for "text", {"results": [{"words": [...]}, ...]} '
                            'for "texts"; "setting" names the engine (and standard) used',
                        ),
                        **_body_errors(limits, batch=True),
                    },
                }
            },
            "/v1/keywords": {
                "post": {
                    "summary": "The keywords of a text (TF-IDF or TextRank)",
                    "requestBody": _request_body("Keywords", limits),
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "keywords": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "word": {"type": "string"},
                                                "weight": {"type": "number"},
                                            },
                                        },
                                    },
                                    "setting": {"type": "string"},
                                },
                            },
                            "keywords by decreasing weight",
                        ),
                        **_body_errors(limits, batch=False),
                    },
                }
            },
            "/v1/standards": {
                "get": {
                    "summary": "The engines and the learned model's standards",
                    "responses": {
                        "200": _json({"type": "object"}, "engines and standards"),
                        **_get_errors(pooled=True),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "responses": {
                        "200": _json({"type": "object"}, '{"status": "ok"}'),
                        **_get_errors(),
                    },
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Request counts and latency of the worker (Prometheus text)",
                    "responses": {
                        "200": {
                            "description": "Prometheus text format",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        },
                        **_get_errors(),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {
                        "200": _json({"type": "object"}, "the OpenAPI document"),
                        **_get_errors(),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Cut": json_schema(
                    CUT_FIELDS,
                    max_items={"texts": limits.max_batch},
                    **cut_exactly_one(),
                ),
                "Keywords": json_schema(KEYWORDS_FIELDS),
                "Word": copy.deepcopy(_WORD),
                "Error": copy.deepcopy(_ERROR),
            }
        },
    }
