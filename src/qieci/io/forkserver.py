"""The worker side of :class:`qieci.io.workers.WorkerPool`.

Run as ``python -m qieci.io.forkserver MODE FD...`` by the pool, never by
hand. It is a fresh interpreter (so the user's ``__main__`` is never
imported again), reads the pickled recipe of a tokenizer from the first
channel, builds and loads the tokenizer once, and then

* ``fork`` mode (POSIX): forks one worker per channel. The server is
  single-threaded when it forks, and every worker inherits the loaded
  tokenizer (copy-on-write) instead of loading its own;
* ``single`` mode: serves its one channel itself (where there is no fork).

A channel is a pair of file descriptors ``READ,WRITE``. Each message is an
8-byte little-endian length and a pickle. The pool sends ``(sys.path,
recipe)`` first (the recipe's classes may live on a path the main process
added at run time),
then tasks ``(fn, arg)``; a worker answers each task with ``("ok",
fn(tokenizer, arg))`` or ``("error", exception)``, in order, and exits at
the end of its input. If building the tokenizer fails, every channel gets
the error as its first answer.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from typing import Any, BinaryIO

_LEN = struct.Struct("<Q")


def read_message(f: BinaryIO) -> Any:
    """One message, or EOFError at the end of the channel."""
    head = f.read(_LEN.size)
    if len(head) < _LEN.size:
        raise EOFError
    (n,) = _LEN.unpack(head)
    body = f.read(n)
    if len(body) < n:
        raise EOFError
    return pickle.loads(body)


def write_message(f: BinaryIO, obj: Any) -> None:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(_LEN.pack(len(body)))
    f.write(body)
    f.flush()


def _answer(exc: BaseException) -> tuple[str, BaseException]:
    """An exception as it can travel: itself if it pickles, else its text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return ("error", exc)
    except Exception:
        return ("error", RuntimeError(f"{type(exc).__name__}: {exc}"))


def serve(tok: Any, rfile: BinaryIO, wfile: BinaryIO) -> None:
    """Answer the tasks of one channel until its end."""
    while True:
        try:
            fn, arg = read_message(rfile)
        except EOFError:
            return
        except Exception as exc:  # a task that does not unpickle here
            write_message(
                wfile,
                _answer(
                    ValueError(
                        f"a worker cannot load its task ({type(exc).__name__}: {exc}); task functions "
                        "must be importable module-level functions"
                    )
                ),
            )
            continue
        try:
            reply: tuple[str, Any] = ("ok", fn(tok, arg))
        except Exception as exc:
            reply = _answer(exc)
        write_message(wfile, reply)


def main(argv: list[str]) -> int:
    # Ctrl-C reaches the terminal's process group; the pool's owner handles
    # it and ends the workers, which must not print tracebacks meanwhile
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    mode, *pairs = argv
    channels = []
    for pair in pairs:
        r, w = (int(x) for x in pair.split(","))
        channels.append((os.fdopen(r, "rb"), os.fdopen(w, "wb")))
    # nothing but messages may reach the channels: stray prints go to stderr
    sys.stdout = sys.stderr
    try:
        # the main process's module path first, so that the recipe's classes
        # import here as they did there (as multiprocessing's spawn does)
        path, recipe = read_message(channels[0][0])
        sys.path[:] = [*path, *(p for p in sys.path if p not in path)]
        tok = recipe.build()
        tok.initialize()
    except EOFError:
        return 0
    except Exception as exc:
        for _, wfile in channels:
            try:
                write_message(wfile, _answer(exc))
            except OSError:
                pass
        return 1
    if mode == "single":
        serve(tok, *channels[0])
        return 0
    children = []
    for i, (rfile, wfile) in enumerate(channels):
        pid = os.fork()
        if pid == 0:
            for j, (r2, w2) in enumerate(channels):
                if j != i:
                    r2.close()
                    w2.close()
            code = 0
            try:
                serve(tok, rfile, wfile)
            except BaseException:
                code = 1
            os._exit(code)
        children.append(pid)
    for rfile, wfile in channels:
        rfile.close()
        wfile.close()
    for pid in children:
        os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
