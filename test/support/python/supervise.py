"""Run one command and take its whole process group down with it when the test process goes away.

Usage: python supervise.py COMMAND [ARG ...]

The test harness starts this script as the leader of a new process group. It runs COMMAND in that
group and polls its own parent: when the parent (the Node test process) dies, even by SIGKILL, it
kills the group, so no Airflow process outlives a test run. SIGTERM to the group stops everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def kill_group() -> None:
    try:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    except ProcessLookupError:
        pass


def main() -> int:
    parent = os.getppid()
    child = subprocess.Popen(sys.argv[1:])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        while True:
            code = child.poll()
            if code is not None:
                return code
            if os.getppid() != parent:
                kill_group()
            time.sleep(0.5)
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill_group()


if __name__ == "__main__":
    sys.exit(main())
