"""The OpenAPI document of the service (``GET /openapi.json``), built from
the declared request fields (:mod:`.requests`) so that it cannot drift
from what the service checks."""

from __future__ import annotations

import copy
from typing import Any

from .._version import __version__
from .requests import CUT_FIELDS, KEYWORDS_FIELDS
from .schema import json_schema

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
                "field": {"type": "string", "description": "the part of the body at fault"},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    what = {
        400: "the body is not UTF-8 JSON",
        413: "the body or the batch is too large",
        422: "a field is missing, unknown, of a wrong type, or not offered",
        503: "too many requests in progress",
        504: "the request took longer than the per-request timeout",
    }
    return {str(s): _json({"$ref": "#/components/schemas/Error"}, what[s]) for s in statuses}


def document() -> dict[str, Any]:
    words = {"type": "array", "items": {"$ref": "#/components/schemas/Word"}}
    body_errors = _errors(400, 413, 422, 503, 504)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "qieci",
            "version": __version__,
            "description": "Chinese word segmentation: the jieba and learned engines over HTTP.",
        },
        "paths": {
            "/v1/cut": {
                "post": {
                    "summary": "Segment a text, or a batch of texts",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Cut"}}
                        },
                    },
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
                        **body_errors,
                    },
                }
            },
            "/v1/keywords": {
                "post": {
                    "summary": "The keywords of a text (TF-IDF or TextRank)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Keywords"}
                            }
                        },
                    },
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
                        **body_errors,
                    },
                }
            },
            "/v1/standards": {
                "get": {
                    "summary": "The engines and the learned model's standards",
                    "responses": {"200": _json({"type": "object"}, "engines and standards")},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "responses": {"200": _json({"type": "object"}, '{"status": "ok"}')},
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Request counts and latency of the worker (Prometheus text)",
                    "responses": {
                        "200": {
                            "description": "Prometheus text format",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Cut": json_schema(CUT_FIELDS),
                "Keywords": json_schema(KEYWORDS_FIELDS),
                "Word": copy.deepcopy(_WORD),
                "Error": copy.deepcopy(_ERROR),
            }
        },
    }
