"""A spaCy tokenizer over a qieci :class:`~qieci.Tokenizer`.

Registered for spaCy configs as ``@tokenizers = "qieci.Tokenizer.v1"`` (an
entry point of the ``spacy_tokenizers`` group), with the options
``engine``, ``standard``, ``dictionary`` and ``model``, which mean what they
mean to :class:`qieci.Tokenizer`: with no ``engine`` (``null``), a
``standard`` or ``model`` means the learned engine, else the jieba engine::

    [nlp.tokenizer]
    @tokenizers = "qieci.Tokenizer.v1"
    standard = "pku"

A relative ``model`` or ``dictionary`` path is relative to the current
directory when the pipeline is made; ``nlp.to_disk`` and ``nlp.to_bytes``
write it into the pipeline's config as the absolute path, so that
``spacy.load`` works from any directory (the file stays where it is).

``nlp.to_disk`` writes the tokenizer's recipe (engine, options, user words)
as JSON, never a pickle; ``spacy.load`` rebuilds the same tokenizer. The
words of a ``Doc`` are qieci's words, so ``doc.text`` is the input.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.tokens import Doc
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

from .. import binfile
from ..engines.base import EngineSpec
from ..tokenizer import Tokenizer, TokenizerSpec

RECIPE_FILE = "qieci.json"
FACTORY = "qieci.Tokenizer.v1"


class SpacyTokenizer:
    """Text to a spaCy ``Doc`` whose tokens are the words of ``tokenizer``."""

    def __init__(self, vocab: Vocab, tokenizer: Tokenizer) -> None:
        self.vocab = vocab
        self.qieci = tokenizer
        # set by the factory: the pipeline it made this tokenizer for, and
        # the absolute paths of its path options (see _pin_config_paths)
        self._made_for: weakref.ref[Any] | None = None
        self._config_paths: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        # a weak reference cannot be pickled: a copy of the pipeline
        # (pickled, as nlp.pipe(n_process=...) does) no longer pins its
        # config's paths, which the copy's config.cfg then keeps as given
        state = dict(self.__dict__)
        state["_made_for"] = None
        return state

    def _pin_config_paths(self) -> None:
        """Write the absolute paths the factory made this tokenizer with into
        its pipeline's config, in place of relative ones: ``spacy.load``
        builds the tokenizer from ``config.cfg`` (in the current directory of
        the load) before the recipe replaces it. ``nlp.to_disk`` and
        ``nlp.to_bytes`` save the tokenizer before the config."""
        nlp = None if self._made_for is None else self._made_for()
        if nlp is None or nlp.tokenizer is not self:
            return
        section = nlp.config.get("nlp", {}).get("tokenizer")
        if not isinstance(section, dict) or section.get("@tokenizers") != FACTORY:
            return
        for name, path in self._config_paths.items():
            section[name] = path

    def __call__(self, text: str) -> Doc:
        # spaCy's convention for whitespace, as its own zh tokenizers follow
        # it: one space after a word is that token's whitespace_, any other
        # whitespace a token of its own
        words, spaces = get_words_and_spaces(
            [w for w in self.qieci.lcut(text) if not w.isspace()], text
        )
        return Doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    # -- serialisation: the recipe as JSON ------------------------------------

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        self._pin_config_paths()
        spec = self.qieci.spec()
        for name, value in spec.engine.options:
            if value is not None and not isinstance(value, (str, int, float, bool)):
                raise ValueError(
                    f"the tokenizer's {name}= is an object, which a spaCy recipe (JSON) cannot "
                    f"hold: save it to a file (for a domain: domain.save(PATH)) and give "
                    f"{name}=PATH"
                )
        recipe = {
            "engine": spec.engine.name,
            "options": dict(spec.engine.options),
            "user_words": [list(edit) for edit in spec.edits],
            "user_tags": spec.user_tags or {},
        }
        return json.dumps(recipe, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> SpacyTokenizer:
        return self._from_recipe(data, "<bytes>")

    def _from_recipe(self, data: bytes, source: str) -> SpacyTokenizer:
        """The tokenizer of the recipe ``data``; ValueError naming ``source``."""
        recipe = binfile.parse_json(data, source, "qieci tokenizer recipe")
        try:
            spec = TokenizerSpec(
                EngineSpec(str(recipe["engine"]), tuple(sorted(recipe["options"].items()))),
                tuple((str(w), int(f), t) for w, f, t in recipe["user_words"]),
                {str(k): str(v) for k, v in recipe["user_tags"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{source}: corrupt qieci tokenizer recipe ({exc})") from None
        self.qieci = spec.build()
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / RECIPE_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SpacyTokenizer:
        file = Path(path) / RECIPE_FILE
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ValueError(f"{file}: cannot read the qieci tokenizer: {exc.strerror}") from None
        return self._from_recipe(data, str(file))


def create_tokenizer(
    engine: str | None = None,
    standard: str | None = None,
    dictionary: str | None = None,
    model: str | None = None,
) -> Callable[[Any], SpacyTokenizer]:
    """The ``qieci.Tokenizer.v1`` factory of spaCy configs: the options of
    :class:`qieci.Tokenizer` (``engine`` None: "learned" when ``standard``
    or ``model`` is given, else "jieba")."""

    def make(nlp: Any) -> SpacyTokenizer:
        given = {"dictionary": dictionary, "model": model}
        paths = {name: os.path.abspath(value) for name, value in given.items() if value is not None}
        tokenizer = SpacyTokenizer(
            nlp.vocab,
            Tokenizer(
                paths.get("dictionary"),
                engine=engine,
                standard=standard,
                model=paths.get("model"),
            ),
        )
        tokenizer._made_for = weakref.ref(nlp)
        tokenizer._config_paths = {
            name: path for name, path in paths.items() if path != given[name]
        }
        return tokenizer

    return make


__all__ = ["SpacyTokenizer", "create_tokenizer"]
