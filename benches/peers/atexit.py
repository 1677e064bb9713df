"""Peer: Python 3's atexit, following the fixture protocol of the
cleanup_benches crate docs: atexit.py MODE N. Run with PYTHONHASHSEED=0 so
callgrind counts repeat."""
import atexit
import os
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "none"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
end_of_main = 0


def nothing():
    pass


def last():
    os.write(1, b"exit_ns %d\n" % (time.monotonic_ns() - end_of_main))


def register_n(count):
    register = atexit.register
    for _ in range(count):
        register(nothing)


def loop_n(count):
    for _ in range(count):
        pass


if mode == "none":
    pass
elif mode == "loop":
    loop_n(n)
    os._exit(0)
elif mode == "reg":
    register_n(n)
    os._exit(0)
elif mode == "run":
    register_n(n)
elif mode == "time":
    began = time.monotonic_ns()
    atexit.register(last)
    register_n(max(n - 1, 0))
    os.write(1, b"reg_ns %d\n" % (time.monotonic_ns() - began))
    end_of_main = time.monotonic_ns()
else:
    sys.exit("unknown mode " + mode)
