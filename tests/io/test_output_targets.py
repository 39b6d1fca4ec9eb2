"""What ``-o`` writes when the output path is a symlink (the file it leads
to; never a link into /dev or /proc), the permissions a rewritten output
keeps, and the codecs ``--encoding`` refuses because they are no character
encodings of text files."""

from __future__ import annotations

import codecs
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qieci.io.lines import AtomicOutput, InputError, check_encoding, check_output_path, read_lines

QIECI = [sys.executable, "-m", "qieci"]
# jieba's own example (its README), cut in the default mode
TEXT = "我来到北京清华大学\n"
WORDS = "我 来到 北京 清华大学\n"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX, /proc")


def run(
    *args: str, stdout: int | io.BufferedWriter = subprocess.PIPE
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*QIECI, *args], stdout=stdout, stderr=subprocess.PIPE, input=b"", timeout=120
    )


def user_error(res: subprocess.CompletedProcess, *needles: str) -> str:
    """The one error line of a run that ended with exit 2."""
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 2, err
    assert "Traceback" not in err, err
    last = err.rstrip("\n").split("\n")[-1]
    assert last.startswith("qieci") and ": error: " in last, err
    for needle in needles:
        assert needle in last, err
    return last


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- a symlink to a regular file: written through, the link kept ---------------------


@pytest.mark.parametrize("shape", ["link", "chain of relative links"])
def test_o_onto_a_symlink_writes_the_file_it_leads_to_and_keeps_the_link(shape, src, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    target = real / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    here = tmp_path / "links"
    here.mkdir()
    link = here / "out.txt"
    if shape == "link":
        links = {link: str(target)}
    else:
        links = {link: "hop.txt", here / "hop.txt": "../real/out.txt"}
    for name, to in links.items():
        name.symlink_to(to)
    res = run("cut", "-q", str(src), "-o", str(link))
    assert res.returncode == 0, res.stderr
    assert target.read_text(encoding="utf-8") == WORDS
    for name, to in links.items():
        assert name.is_symlink() and os.readlink(name) == to
    # no temporary file or spill folder left in either folder
    assert entries(real) == ["out.txt"] and entries(here) == sorted(n.name for n in links)


def test_atomic_output_through_a_symlink_creates_the_missing_target(tmp_path):
    link = tmp_path / "out.txt"
    link.symlink_to("made.txt")  # does not exist yet
    with AtomicOutput(str(link)) as out:
        assert out.target == str(tmp_path / "made.txt")
        out.file.write(b"new\n")
    assert os.readlink(link) == "made.txt"
    assert (tmp_path / "made.txt").read_bytes() == b"new\n"
    assert entries(tmp_path) == ["made.txt", "out.txt"]


# -- into /proc or /dev: refused, the link untouched -------------------------------


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A regular file open for writing: its descriptor and its path."""
    path = tmp_path / "sink.txt"
    with open(path, "wb") as f:
        yield f.fileno(), path


@pytest.mark.parametrize("shape", ["link", "chain", "folder link", "link to /dev/fd"])
def test_check_output_path_refuses_a_path_that_leads_into_proc_or_dev(shape, sink, tmp_path):
    fd, sink_path = sink
    out = tmp_path / "out.txt"
    if shape == "link":
        out.symlink_to(f"/proc/self/fd/{fd}")
    elif shape == "chain":
        out.symlink_to("hop")
        (tmp_path / "hop").symlink_to(f"/proc/self/fd/{fd}")
    elif shape == "folder link":
        (tmp_path / "fds").symlink_to("/proc/self/fd")
        out = tmp_path / "fds" / str(fd)
    else:
        out.symlink_to(f"/dev/fd/{fd}")
    assert os.path.samefile(out, sink_path)  # a regular file, through the link
    with pytest.raises(InputError) as err:
        check_output_path(str(out))
    msg = str(err.value)
    assert msg.startswith(f"{out}: leads through a symlink into /")
    assert "-o writes files: use the shell (> " in msg


@pytest.mark.parametrize("chain", [False, True])
def test_o_onto_a_symlink_to_proc_self_fd_1_is_refused_and_the_link_kept(chain, src, tmp_path):
    """``-o /dev/stdout`` with stdout redirected to a file, made safe: the
    link is in tmp_path, and leads to /proc/self/fd/1."""
    link = tmp_path / "stdout-link"
    links = {link: "/proc/self/fd/1"}
    if chain:
        links = {link: "hop", tmp_path / "hop": "/proc/self/fd/1"}
    for name, to in links.items():
        name.symlink_to(to)
    captured = tmp_path / "captured.txt"
    before = entries(tmp_path) + ["captured.txt"]
    with open(captured, "wb") as f:
        res = run("cut", str(src), "-o", str(link), stdout=f)
    user_error(res, str(link), "into /proc", "-o writes files", f"use the shell (> {link})")
    for name, to in links.items():
        assert name.is_symlink() and os.readlink(name) == to
    assert captured.read_bytes() == b""
    assert entries(tmp_path) == sorted(before)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root (lchown)")
def test_o_onto_a_symlink_another_user_planted_in_a_shared_folder_is_refused(src, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    link = shared / "out.txt"
    link.symlink_to(victim)
    os.lchown(link, 54321, 54321)  # another user's
    user_error(run("cut", str(src), "-o", str(link)), str(link), "another user", "elsewhere")
    assert victim.read_text(encoding="utf-8") == "untouched\n"
    assert link.is_symlink() and entries(shared) == ["out.txt"]


# -- permissions of a rewritten output ----------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_rewriting_an_output_keeps_its_permission_bits(mode, src, tmp_path):
    out = tmp_path / "perm.txt"
    res = run("cut", "-q", str(src), "-o", str(out))
    assert res.returncode == 0, res.stderr
    out.chmod(mode)
    out.write_text("stale\n", encoding="utf-8")
    res = run("cut", "-q", str(src), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_text(encoding="utf-8") == WORDS
    assert stat.S_IMODE(os.stat(out).st_mode) == mode


def test_a_rewritten_output_drops_the_set_id_bits_as_writing_does(tmp_path):
    out = tmp_path / "out.txt"
    out.write_bytes(b"old\n")
    out.chmod(0o6751)
    with AtomicOutput(str(out)) as f:
        f.file.write(b"new\n")
    assert out.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o751


# -- codecs that are no character encodings of text files ---------------------------

NOT_TEXT_FILE_ENCODINGS = [
    "idna",
    "punycode",
    "unicode_escape",
    "raw_unicode_escape",
    "undefined",
    "bz2",
    "zlib",
    "base64",
    "hex",
    "uu",
    "quopri",
    "rot13",
]


@pytest.mark.parametrize("name", NOT_TEXT_FILE_ENCODINGS)
def test_check_encoding_refuses_codecs_that_are_not_character_encodings(name):
    with pytest.raises(ValueError) as err:
        check_encoding(name)
    msg = str(err.value)
    assert msg.startswith(f"encoding {name!r} is not a character encoding of text files: ")
    assert msg.endswith("use a character encoding such as utf-8 or gb18030")


def test_cut_and_keywords_with_encoding_idna_are_user_errors_with_advice(tmp_path):
    e3 = tmp_path / "e3.txt"
    e3.write_bytes(b"xn--abc-\n")
    for command in ("cut", "keywords"):
        res = run(command, "--encoding", "idna", str(e3))
        user_error(res, "'idna'", "not a character encoding", "utf-8 or gb18030")
        assert res.stdout == b""
    # the advice works: a character encoding
    gb = tmp_path / "gb.txt"
    gb.write_bytes(TEXT.encode("gb18030"))
    res = run("cut", "-q", "--encoding", "gb18030", str(gb))
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode("utf-8") == WORDS


LABELS = "qieci_test_labels"  # idna's decoder under a name check_encoding does not know


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") != LABELS:
        return None
    idna = codecs.lookup("idna")
    return codecs.CodecInfo(idna.encode, idna.decode, name=LABELS)


@pytest.fixture
def labels_codec() -> Iterator[str]:
    codecs.register(_search)
    try:
        yield LABELS
    finally:
        codecs.unregister(_search)


@pytest.mark.parametrize("errors", ["strict", "replace", "skip-line"])
def test_a_codec_that_refuses_a_whole_line_is_an_input_error(errors, labels_codec):
    check_encoding(labels_codec)  # passes: the backstop is what is tested
    data = b"ok\nxn--abc-\nmore\n"  # IDNA: the label of line 2 does not round-trip
    with pytest.raises(InputError) as err:
        list(read_lines(io.BytesIO(data), "e3.txt", encoding=labels_codec, errors=errors))
    msg = str(err.value)
    assert msg.startswith(f"e3.txt:2: cannot decode the line at byte offset 3 as {LABELS} (")
    assert msg.endswith(
        "read the file with a character encoding such as utf-8 or gb18030 (--encoding)"
    )


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm")
def test_dev_shm_holds_ordinary_files_and_is_allowed():
    """/dev/shm is a tmpfs of ordinary files: only checked here, nothing
    is written."""
    from qieci.io.lines import check_output_path

    assert check_output_path("/dev/shm/qieci-never-written.txt") == "/dev/shm"
