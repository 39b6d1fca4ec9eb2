"""The qieci container: round trip, and a clear ValueError for any damage."""

from __future__ import annotations

import json
import platform
import random
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qieci import binfile


def test_round_trip():
    sections = {"a": b"hello", "empty": b"", "big": bytes(range(256)) * 100}
    for compress in (True, False):
        data = binfile.pack("dict", sections, compress=compress)
        assert binfile.unpack(data, kind="dict", source="x") == sections


def test_not_a_qieci_file():
    with pytest.raises(ValueError, match="some.txt: not a qieci data file"):
        binfile.unpack("北京 3 ns\n".encode(), kind="dict", source="some.txt")
    with pytest.raises(ValueError, match="not a qieci"):
        binfile.unpack(b"", kind="dict", source="empty")


def test_wrong_kind_and_version():
    data = binfile.pack("hmm", {"a": b"1"})
    with pytest.raises(ValueError, match="f: is a qieci 'hmm' file, expected 'dict'"):
        binfile.unpack(data, kind="dict", source="f")
    newer = data[:8] + (99).to_bytes(4, "little") + data[12:]
    with pytest.raises(ValueError, match="unsupported qieci file version 99"):
        binfile.unpack(newer, kind="hmm", source="f")


@given(cut=st.integers(min_value=0))
def test_any_truncation_is_a_clear_error(cut):
    data = binfile.pack("dict", {"a": b"x" * 300, "b": b"y" * 50})
    cut = cut % len(data)
    with pytest.raises(ValueError, match="^trunc.bin: "):
        binfile.unpack(data[:cut], kind="dict", source="trunc.bin")


@given(pos=st.integers(min_value=0), bit=st.integers(0, 7))
def test_any_flipped_bit_is_a_clear_error(pos, bit):
    data = bytearray(binfile.pack("dict", {"a": b"x" * 300, "b": b"y" * 50}))
    pos = pos % len(data)
    data[pos] ^= 1 << bit
    with pytest.raises(ValueError, match="^flip.bin: "):
        binfile.unpack(bytes(data), kind="dict", source="flip.bin")


def test_missing_sections_are_named():
    with pytest.raises(ValueError, match="lacks section"):
        binfile.require({"a": b""}, ("a", "b"), "f")


@pytest.mark.parametrize("size", [1000, 3 << 20])
def test_small_and_large_streams_inflate_alike(size):
    """Streams under ISAL_FROM_BYTES go to zlib's inflater, larger ones to
    ISA-L's: the same bytes come out, and a corrupt or cut stream is the
    same clear error either way."""
    rng = random.Random(size)
    # half random (incompressible), half runs: a stored stream of about size/2
    raw = bytes(rng.getrandbits(8) for _ in range(size // 2)) + bytes(size // 2)
    stored = zlib.compress(raw, 9)
    assert (len(stored) >= binfile.ISAL_FROM_BYTES) == (size > 1 << 20)
    assert binfile.inflate(stored, source="f", section="s") == raw
    bad = bytearray(stored)
    bad[len(bad) // 3] ^= 0xFF  # inside the incompressible part
    with pytest.raises(ValueError, match=r"^f: (corrupt|truncated) qieci file section 's'"):
        binfile.inflate(bytes(bad), source="f", section="s")
    with pytest.raises(ValueError, match=r"^f: truncated qieci file section 's'"):
        binfile.inflate(stored[: len(stored) // 2], source="f", section="s")
    with pytest.raises(ValueError, match=r"inflates past 100 bytes"):
        binfile.inflate(stored, source="f", section="s", limit=100)


def test_isal_inflates_only_large_streams(monkeypatch):
    """The large stream goes through ISA-L's inflater, the small one does
    not even load it; both give zlib's bytes."""
    import sys

    calls = []
    real = binfile._isal

    def spy():
        calls.append(1)
        return real()

    monkeypatch.setattr(binfile, "_isal", spy)
    small = bytes(range(256)) * 4
    assert binfile.inflate(zlib.compress(small), source="f", section="s") == small
    assert calls == []
    rng = random.Random(1)
    big = bytes(rng.getrandbits(8) for _ in range(binfile.ISAL_FROM_BYTES + 4096))
    assert binfile.inflate(zlib.compress(big), source="f", section="s") == big
    assert calls == [1]
    # a corrupt small stream is reported without ISA-L loaded (nothing else
    # could have raised its error)
    monkeypatch.delitem(sys.modules, "isal.isal_zlib", raising=False)
    assert binfile.inflate_errors() == (zlib.error,)
    with pytest.raises(ValueError, match="corrupt qieci file section 's'"):
        binfile.inflate(b"x\x9c" + bytes(20), source="f", section="s")


def test_reading_the_umask_leaves_it_alone(tmp_path, monkeypatch):
    import os

    calls: list[int] = []
    real = os.umask

    def spy(mask: int) -> int:
        calls.append(mask)
        return real(mask)

    old = real(0o077)
    try:
        monkeypatch.setattr(os, "umask", spy)
        assert binfile.current_umask() == 0o077
        assert calls == []  # read from /proc, never set (another thread would see it)
        binfile.write_atomic(tmp_path / "f.qc", b"x")
        assert calls == []
        assert (tmp_path / "f.qc").stat().st_mode & 0o777 == 0o600
    finally:
        real(old)


def test_write_atomic_syncs_before_the_rename(tmp_path, monkeypatch):
    import os

    order: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (order.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (order.append("replace"), real_replace(a, b))[1]
    )
    binfile.write_atomic(tmp_path / "m.qc", b"data")
    assert order == ["fsync", "replace"]
    assert (tmp_path / "m.qc").read_bytes() == b"data"


@given(
    size=st.sampled_from([0, 1, 4095, (1 << 20) - 1, 1 << 20, (1 << 20) + 7, 3 << 20]),
    seed=st.integers(0, 2**32 - 1),
)
def test_checksum_is_zlibs_crc32_on_both_sides_of_the_threshold(size, seed):
    """ISA-L computes the large checksums, zlib the small ones: the value
    is zlib.crc32's either way (the value every existing file stores), for
    bytes and for a view of a memory map alike."""
    data = random.Random(seed).randbytes(size)
    assert binfile.checksum(data) == zlib.crc32(data)
    assert binfile.checksum(memoryview(data)[1:]) == zlib.crc32(data[1:])


def test_a_flipped_bit_in_a_large_section_is_a_clear_error():
    big = random.Random(7).randbytes(binfile.ISAL_FROM_BYTES + 100)
    data = bytearray(binfile.pack("dict", {"big": big}, compress=False))
    assert binfile.unpack(bytes(data), kind="dict", source="big.bin")["big"] == big
    data[len(data) - 50] ^= 0x10
    with pytest.raises(ValueError, match=r"^big.bin: corrupt qieci file \(section 'big' checksum"):
        binfile.unpack(bytes(data), kind="dict", source="big.bin")


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, "JSON nested too deeply"),
        (b'{"a": "\xff"}', "can't decode byte 0xff"),
        (b'{"a": 1', "Expecting ',' delimiter"),
        ('{"a": 1}'.encode("utf-16"), "can't decode byte 0xff"),  # UTF-8 only
        (b"", "Expecting value"),
    ],
)
def test_json_of_a_data_file_is_a_valueerror_naming_it_whatever_its_damage(raw, why):
    with pytest.raises(ValueError, match=rf"^f\.qc: corrupt domain metadata \(.*{why}") as err:
        binfile.parse_json(raw, "f.qc", "domain metadata")
    assert err.value.__suppress_context__  # one error, not "during handling of" another


def test_json_of_a_data_file_parses_bytes_views_and_text_alike():
    doc = {"format": 2, "words": ["北京", "大学"], "deep": [[[[1]]]]}
    raw = json.dumps(doc, ensure_ascii=False)
    for raw_or_view in (raw, raw.encode(), bytearray(raw.encode()), memoryview(raw.encode())):
        assert binfile.parse_json(raw_or_view, "f.qc", "domain metadata") == doc


class _IsalSpy:
    """ISA-L's module as binfile sees it, logging each call into it (and into
    the inflaters it makes) in ``events``, next to the calls of
    ``_cpu.clear_upper_state``."""

    def __init__(self, real, events):
        self._real, self._events = real, events

    def _log(self, fn):
        def call(*args):
            self._events.append("isal")
            return fn(*args)

        return call

    def crc32(self, *args):
        return self._log(self._real.crc32)(*args)

    def decompressobj(self):
        inner = self._real.decompressobj()
        spy = self

        class Obj:
            decompress = staticmethod(spy._log(inner.decompress))
            flush = staticmethod(spy._log(inner.flush))
            unconsumed_tail = property(lambda _: inner.unconsumed_tail)
            eof = property(lambda _: inner.eof)

        return Obj()

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.fixture
def isal_events(monkeypatch):
    events: list[str] = []
    real = binfile._isal()
    monkeypatch.setattr(binfile, "_isal", lambda: _IsalSpy(real, events))
    clear = binfile._cpu.clear_upper_state
    monkeypatch.setattr(
        binfile._cpu, "clear_upper_state", lambda: (events.append("clear"), clear())[1]
    )
    return events


def assert_each_isal_call_cleared(events):
    assert "isal" in events
    for i, e in enumerate(events):
        if e == "isal":
            assert events[i + 1 : i + 2] == ["clear"], events


def test_every_isal_checksum_and_inflate_is_followed_by_clearing_the_upper_state(isal_events):
    """ISA-L leaves the AVX-512 registers' upper halves dirty, which makes
    every SSE instruction after it slow (the whole process ran 35-40%
    slower): binfile clears them after each call into ISA-L."""
    big = random.Random(3).randbytes(binfile.ISAL_FROM_BYTES + 10)
    assert binfile.checksum(big) == zlib.crc32(big)
    assert_each_isal_call_cleared(isal_events)
    isal_events.clear()
    assert binfile.inflate(zlib.compress(big), source="f", section="s") == big
    assert_each_isal_call_cleared(isal_events)


def test_loading_the_learned_model_clears_the_upper_state_after_isal(isal_events):
    """The learned model's weights are inflated block by block outside
    binfile.inflate (model.fold_weights): each call is still cleared."""
    import qieci

    t = qieci.Tokenizer(engine="learned")
    assert t.lcut("我们在野生动物园玩") != []
    assert_each_isal_call_cleared(isal_events)


def test_clear_upper_state_runs_vzeroupper_exactly_on_cpus_with_avx():
    from qieci import _cpu

    _cpu.clear_upper_state()  # never an illegal instruction
    cpuinfo = Path("/proc/cpuinfo")
    if platform.machine() in {"x86_64", "AMD64"} and cpuinfo.exists():
        flags = next(
            line.split(":", 1)[1].split()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("flags")
        )
        assert _cpu.has_avx() == ("avx" in flags)
    elif platform.machine() not in {"x86_64", "AMD64", "i386", "i686"}:
        assert _cpu.has_avx() is False


def test_read_section_reads_and_checks_one_section_only(tmp_path):
    import io

    data = binfile.pack("toy", {"meta": b'{"a": 1}', "big": bytes(range(256)) * 64})
    stored, _ = binfile.read_section(io.BytesIO(data), kind="toy", name="meta", source="f")
    assert stored == bytes(binfile.stored_views(data, kind="toy", source="f")["meta"][0])
    # damage in another section is not seen (it is not read) ...
    big = binfile.stored_views(data, kind="toy", source="f")["big"][0]
    at = data.index(bytes(big[:32])) + 100
    damaged = bytearray(data)
    damaged[at] ^= 1
    assert binfile.read_section(io.BytesIO(bytes(damaged)), kind="toy", name="meta", source="f")
    with pytest.raises(ValueError, match="section 'big' checksum mismatch"):
        binfile.read_section(io.BytesIO(bytes(damaged)), kind="toy", name="big", source="f")
    # ... but the section itself, the table and the header are checked
    meta = binfile.stored_views(data, kind="toy", source="f")["meta"][0]
    at = data.index(bytes(meta))
    damaged = bytearray(data)
    damaged[at] ^= 1
    with pytest.raises(ValueError, match="^f: corrupt qieci file \\(section 'meta' checksum"):
        binfile.read_section(io.BytesIO(bytes(damaged)), kind="toy", name="meta", source="f")
    damaged = bytearray(data)
    damaged[30] ^= 1  # in the section table
    with pytest.raises(ValueError, match="^f: corrupt qieci file \\(section table checksum"):
        binfile.read_section(io.BytesIO(bytes(damaged)), kind="toy", name="meta", source="f")
    for cut in (5, 40, at + 2):
        with pytest.raises(ValueError, match="^f: (not a qieci|truncated qieci)"):
            binfile.read_section(io.BytesIO(data[:cut]), kind="toy", name="meta", source="f")
    with pytest.raises(ValueError, match="^f: is a qieci 'toy' file, expected 'dict'"):
        binfile.read_section(io.BytesIO(data), kind="dict", name="meta", source="f")
    with pytest.raises(ValueError, match="^f: qieci file lacks section\\(s\\) nope"):
        binfile.read_section(io.BytesIO(data), kind="toy", name="nope", source="f")
