"""Runs one of Hangar's Python helpers on a catalog entry inside the verification sandbox.

Usage: python -I hangar_sandbox_launch.py CONFIG.json SCRIPT [ARG ...]

CONFIG (written by server/src/market/verify/sandbox.ts) gives the interpreter, a clean environment, the folders
the entry may write and read, the time limit and the isolation:

- "audit-hook": the helper runs in a new session with only the given environment (no inherited secrets); the
  audit hook of hangar_sandbox.py refuses network, writes, reads and programs from Python code.
- "namespaces" (Linux, root or user namespaces): additionally in new network, mount and PID namespaces, every
  mount read-only except the writable folders, with all capabilities dropped (setpriv), so the kernel enforces
  "no network, no writes outside the sandbox" even for native code, and the whole process tree dies with it.

Records from the helper come through a private pipe and are the only "@@hangar " lines this prints; the
entry's own output is passed on (capped) with any "@@hangar " prefix neutralised. Past the time limit the
process group is killed and a fatal record says so; when Hangar itself goes away, it is killed too."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

PREFIX = b"@@hangar "


def record(data):
    sys.stdout.buffer.write(PREFIX + json.dumps(data).encode() + b"\n")
    sys.stdout.buffer.flush()


def unescape_mount_point(text):
    # /proc/self/mountinfo escapes space, tab, newline and backslash as octal.
    return text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def enter_jail(config, command):
    """Inside the new namespaces (still privileged): every mount read-only except the writable folders, then
    drop every capability and run the helper."""

    def mount(*args):
        subprocess.run(["mount", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    mount("--make-rprivate", "/")
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        points = sorted({unescape_mount_point(line.split()[4]) for line in info})
    for point in points:
        mount("-o", "remount,bind,ro", point)
    for folder in config["sandbox"]["write"]:
        mount("--bind", folder, folder)
        mount("-o", "remount,bind,rw", folder)
    setpriv = shutil.which("setpriv")
    os.execv(setpriv, [setpriv, "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--", *command])


def relay_records(pipe):
    for line in pipe:
        if line.startswith(PREFIX):
            sys.stdout.buffer.write(line if line.endswith(b"\n") else line + b"\n")
            sys.stdout.buffer.flush()


def relay_output(pipe, limit):
    sent = 0
    for line in pipe:
        if sent >= limit:
            continue  # keep draining so the helper never blocks on a full pipe
        if line.startswith(PREFIX):
            line = b"| " + line
        line = line[: limit - sent]
        sent += len(line)
        sys.stdout.buffer.write(line)
        if sent >= limit:
            sys.stdout.buffer.write(b"\n[output truncated by Hangar's verification sandbox]\n")
        sys.stdout.buffer.flush()


def main():
    config_file, *rest = sys.argv[1:]
    inside = config_file == "--inside"
    if inside:
        config_file, *rest = rest
    with open(config_file, encoding="utf-8") as handle:
        config = json.load(handle)
    command = [config["python"], *rest]
    if inside:
        return enter_jail(config, command)

    env = dict(config["env"])
    env.update({name: os.environ[name] for name in config["pass_env"] if name in os.environ})
    records_read, records_write = os.pipe()
    env["HANGAR_SANDBOX"] = json.dumps({**config["sandbox"], "records_fd": records_write})
    if config["isolation"] == "namespaces":
        command = [
            shutil.which("unshare"), "--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc",
            sys.executable, "-I", "-S", os.path.abspath(__file__), "--inside", config_file, *rest,
        ]
    child = subprocess.Popen(
        command,
        cwd=config["cwd"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(records_write,),
        start_new_session=True,
    )
    os.close(records_write)

    def kill_group(*_):
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, lambda *_: (kill_group(), sys.exit(143)))
    threads = [
        threading.Thread(target=relay_records, args=(os.fdopen(records_read, "rb"),), daemon=True),
        threading.Thread(target=relay_output, args=(child.stdout, config["output_limit"]), daemon=True),
    ]
    for thread in threads:
        thread.start()
    parent, deadline = os.getppid(), time.monotonic() + config["timeout_s"]
    while True:
        try:
            code = child.wait(timeout=1)
            break
        except subprocess.TimeoutExpired:
            if os.getppid() != parent:  # Hangar is gone: nobody will read the result
                kill_group()
                return 137
            if time.monotonic() > deadline:
                kill_group()
                child.wait()
                for thread in threads:
                    thread.join(timeout=2)
                record({"type": "fatal", "timeout": True, "error": f"did not finish within {config['timeout_s']} s; the whole process tree was killed"})
                return 124
    kill_group()  # anything the helper left behind
    for thread in threads:
        thread.join(timeout=5)
    return code


if __name__ == "__main__":
    sys.exit(main())
