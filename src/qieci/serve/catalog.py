"""The tokenizers a server offers, one per setting (engine and standard),
each loaded once per worker process and then shared by every request.

The default setting (the server's ``--engine``/``--standard``) and those of
``--preload`` load at start-up, before the server accepts a request; any
other setting a request names loads on its first use (a learned standard
takes about 0.7 s and 40 MB) and stays. The settings are finite (the
engines times the model's standards), so memory is bounded.

A dictionary (``-D``) is the jieba engine's alone, but a request may name
that engine whatever the default: the jieba setting then loads at start-up
too, so that a file that does not read is refused before the server
listens (with the message ``--engine jieba -D`` gives), never on a request.
A setting that still fails to load on a request (its server-side files
changed since) is a 503 naming the file, not a 500.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..analyse import TFIDF
from ..engines import ENGINES
from ..tokenizer import Tokenizer
from .config import ServeConfig
from .errors import ApiError


class NotReady(Exception):
    """A non-blocking lookup found that the setting (or the model's list of
    standards) still has to be loaded: do it in a segmentation thread."""


@dataclass(frozen=True, order=True)
class Setting:
    """An engine and, for the learned engine, its standard."""

    engine: str
    standard: str | None = None

    @property
    def label(self) -> str:
        return f"{self.engine}:{self.standard}" if self.standard else self.engine

    @classmethod
    def parse(cls, label: str) -> tuple[str, str | None]:
        """``"jieba"`` or ``"learned:pku"`` as (engine, standard)."""
        engine, _, standard = label.partition(":")
        if engine in ENGINES or not standard:
            return engine, standard or None
        return label, None  # an engine path of one's own, "module:Class"


class Catalog:
    """The server's tokenizers by setting, and how a request's
    ``engine``/``standard`` resolve to one. Thread-safe: settings load in
    the segmentation threads, each at most once."""

    def __init__(self, config: ServeConfig, load: bool = True) -> None:
        """The catalog of ``config``, its default and ``--preload`` settings
        loaded; without ``load``, the options only checked (see
        :func:`check`)."""
        self.config = config
        self._load = load
        self._lock = threading.Lock()
        self._loading: dict[Setting, threading.Lock] = {}
        self._tokenizers: dict[Setting, Tokenizer] = {}
        self._tfidf: dict[Setting, TFIDF] = {}
        self._standards: tuple[str, ...] | None = None
        self._default_standard: str | None = None
        self.engines = tuple(ENGINES) + (() if config.engine in ENGINES else (config.engine,))
        if config.engine == "learned" and not load:
            self.default = self._check_standard(config.standard)
            self._get(self.default)
        elif config.engine == "learned":  # its standards come with it
            tok = self._build(Setting("learned", config.standard))
            self._note_standards(tok.standards())
            self.default = Setting("learned", tok.standard)
            self._tokenizers[self.default] = tok
        else:
            self.default = self.resolve(config.engine, config.standard)
            self._get(self.default)
        if config.dictionary is not None:
            self._get(Setting("jieba"))  # -D read now, whatever the default engine
        for label in config.preload:
            try:
                setting = self.resolve(*Setting.parse(label))
            except ApiError as exc:  # a start-up option, not a request
                raise ValueError(f"--preload {label}: {exc.message}") from None
            self._get(setting)

    # -- settings ------------------------------------------------------------

    def resolve(self, engine: str | None, standard: str | None, blocking: bool = True) -> Setting:
        """The setting a request names (None: the server's default); an
        :class:`ApiError` when the engine or standard is not offered.
        Without ``blocking``, :class:`NotReady` rather than reading the
        model's standards."""
        if engine is None:
            if standard is None:
                return self.default
            engine = "learned"
        if engine not in self.engines:
            raise ApiError(
                422,
                "unknown_engine",
                f"engine: {engine[:40]!r} is not offered (this server offers "
                f"{', '.join(self.engines)})",
                "engine",
            )
        if engine != "learned":
            if standard is not None:
                raise ApiError(
                    422,
                    "invalid_field",
                    f'standard: the standards are the learned engine\'s ("engine": "learned"); '
                    f"the {engine} engine has none",
                    "standard",
                )
            return Setting(engine)
        if standard is None and self.config.engine == "learned":
            standard = self.config.standard
        if not blocking and self._standards is None:
            raise NotReady
        standards, default = self.standards()
        if standard is None:
            return Setting("learned", default)
        if standard not in standards:
            raise ApiError(
                422,
                "unknown_standard",
                f"standard: {standard[:40]!r} is not a standard of the model (it has "
                f"{', '.join(standards)}; see GET /v1/standards)",
                "standard",
            )
        return Setting("learned", standard)

    def standards(self) -> tuple[tuple[str, ...], str]:
        """The learned model's standards and its default standard (read
        from the model's header when no learned tokenizer is loaded yet)."""
        with self._lock:
            if self._standards is None:
                # here, not at the top: a jieba server need not import numpy
                from ..engines.learned.model import read_meta

                try:
                    self._note_standards(tuple(read_meta(self.config.model)[0].standards))
                except ValueError as exc:  # the model file, changed since start-up
                    raise unavailable("learned", exc) from None
            assert self._standards is not None and self._default_standard is not None
            return self._standards, self._default_standard

    def _check_standard(self, standard: str | None) -> Setting:
        """The learned setting of ``standard`` (None: the model's default),
        checked against the model's header (read, not loaded), with the
        error the engine gives when it loads."""
        from ..engines.learned.model import parse_meta, read_sections

        sec, source = read_sections(self.config.model)
        meta = parse_meta(sec, source)
        with self._lock:
            self._note_standards(tuple(meta.standards))
        assert self._default_standard is not None
        std = standard or self._default_standard
        meta.standard_index(std, source)  # a ValueError naming the model's standards
        return Setting("learned", std)

    def _note_standards(self, standards: tuple[str, ...]) -> None:
        from ..engines.learned.engine import default_standard

        self._standards = standards
        # the one the learned engine picks when none is named
        self._default_standard = default_standard(standards)

    def loaded(self) -> list[str]:
        """The settings loaded so far, as labels."""
        return sorted(s.label for s in self._tokenizers)

    # -- tokenizers ------------------------------------------------------------

    def tokenizer(self, setting: Setting, blocking: bool = True) -> Tokenizer:
        """The tokenizer of ``setting``, loaded on first use (in a
        segmentation thread; without ``blocking``, :class:`NotReady`
        instead of loading): a request's, so a setting that does not load
        (a server-side file) is an :class:`ApiError` (503)."""
        tok = self._tokenizers.get(setting)
        if tok is not None:
            return tok
        if not blocking:
            raise NotReady
        try:
            return self._get(setting)
        except ValueError as exc:
            raise unavailable(setting.label, exc) from None

    def _get(self, setting: Setting) -> Tokenizer:
        """The tokenizer of ``setting``, loaded on first use; a ValueError
        when it does not load (at start-up: an option's mistake)."""
        tok = self._tokenizers.get(setting)
        if tok is not None:
            return tok
        with self._lock:
            lock = self._loading.setdefault(setting, threading.Lock())
        with lock:
            tok = self._tokenizers.get(setting)
            if tok is None:
                tok = self._tokenizers[setting] = self._build(setting)
        return tok

    def tfidf(self, setting: Setting, blocking: bool = True) -> TFIDF:
        """The TF-IDF extractor over the tokenizer of ``setting``."""
        ex = self._tfidf.get(setting)
        if ex is None:
            tok = self.tokenizer(setting, blocking)
            with self._lock:
                ex = self._tfidf.setdefault(setting, TFIDF(tokenizer=tok))
        return ex

    def _build(self, setting: Setting) -> Tokenizer:
        """A loaded tokenizer of ``setting`` with the server's dictionary
        (jieba engine), model (learned engine) and user dictionaries
        (unless only checking: then a learned model is left unloaded; its
        user words need no model)."""
        cfg = self.config
        tok = Tokenizer(
            cfg.dictionary if setting.engine == "jieba" else None,
            engine=setting.engine,
            standard=setting.standard,
            model=cfg.model if setting.engine == "learned" else None,
            domain=cfg.domain if setting.engine == "learned" else None,
        )
        if self._load or setting.engine != "learned":
            tok.initialize()
        for path in cfg.user_dicts:
            tok.load_userdict(path, strict=cfg.strict)
        return tok


def unavailable(label: str, exc: ValueError) -> ApiError:
    """The answer to a request whose setting ``label`` does not load: the
    fault of a file on the server (``exc`` names it), not of the request."""
    return ApiError(
        503,
        "setting_unavailable",
        f"the {label} setting cannot load on this server: {exc} (a file on the server; "
        "ask its operator to fix it, or send a request naming another engine)",
    )


def check(config: ServeConfig) -> None:
    """A ValueError for what :class:`Catalog` of ``config`` would refuse
    (an unknown engine or standard, a model file whose header does not
    read, a dictionary or user dictionary that does not read, whatever the
    default engine, a bad ``--preload``), found without
    loading the learned model (its header and user words suffice): the
    supervisor of ``--workers N`` checks the options so, once, and the
    workers load."""
    Catalog(config, load=False)
