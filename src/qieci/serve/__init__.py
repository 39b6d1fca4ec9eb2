"""``qieci serve``: segmentation as an HTTP service, with a demo page.

An optional part (``pip install 'qieci[serve]'``: Starlette on uvicorn):

* :mod:`.config`: :class:`ServeConfig`, the tokenizer options and limits;
* :mod:`.catalog`: the tokenizers by setting (engine, standard), loaded
  once per worker;
* :mod:`.schema` and :mod:`.requests`: the request bodies, their validation
  and JSON Schema; :mod:`.openapi`: the OpenAPI document;
* :mod:`.body`: reading a body within the limits and its deadline, and
  decoding its JSON;
* :mod:`.pool`: the segmentation threads, with the per-request timeout;
* :mod:`.work`: what the endpoints compute; :mod:`.metrics`: counts and
  latency; :mod:`.errors`: the JSON errors;
* :mod:`.app`: the ASGI application (the POST endpoints as plain ASGI apps,
  reached straight from its front; Starlette for the rest); :mod:`.server`:
  running it on uvicorn;
* ``static/``: the demo page (HTML, CSS, JS; nothing from the network).
"""

from .config import Limits, ServeConfig

__all__ = ["Limits", "ServeConfig"]
