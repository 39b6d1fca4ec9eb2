"""The chars engine: one character per word (see :mod:`.engine`)."""

from .engine import CharsEngine

__all__ = ["CharsEngine"]
