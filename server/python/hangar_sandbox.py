"""The Python side of Hangar's verification sandbox (the marketplace's `hangar market verify`).

When HANGAR_SANDBOX is set (JSON: "write" and "read" folder lists, "records_fd"), install() adds an audit hook
(sys.addaudithook, PEP 578) that refuses, and reports as a "sandbox" record, what a DAG must not do while it is
imported or tested: network connections and name look-ups, file writes and file-system changes outside the
"write" folders, reads outside the "read" folders (so a host secret cannot be copied into the public log),
starting programs, and loading native code through ctypes. A hook is a tripwire for Python code, not a wall:
where Linux namespaces are available the launcher (hangar_sandbox_launch.py) adds a kernel-level one.

Records go to the file descriptor "records_fd" so that a DAG printing "@@hangar ..." cannot forge one.
Without HANGAR_SANDBOX, install() does nothing and records go to standard output, as before."""

import ipaddress
import json
import os
import socket
import subprocess  # imports _posixsubprocess before the hook refuses importing it
import sys
import threading

_CONFIG = json.loads(os.environ.get("HANGAR_SANDBOX") or "null")
_RECORDS_FD = _CONFIG.get("records_fd") if _CONFIG else None
_PREFIX = "@@hangar "


def emit(record):
    """Writes one record for the Node side (a line prefixed with "@@hangar ")."""
    line = _PREFIX + json.dumps(record) + "\n"
    if _RECORDS_FD is None:
        sys.stdout.write(line)
        sys.stdout.flush()
    else:
        _write_all(_RECORDS_FD, line.encode("utf-8"))


_write = os.write


def _write_all(fd, data):
    while data:
        data = data[_write(fd, data):]


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_LOOKUP_EVENTS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getnameinfo")
_PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile", "os.kill", "os.killpg", "pty.spawn")
_NATIVE_EVENTS = ("ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function", "ctypes.cdata", "sqlite3.enable_load_extension", "sqlite3.load_extension")
# Changes to the host that are not files: its hostname, its system log.
_HOST_EVENTS = ("socket.sethostname", "syslog.openlog", "syslog.syslog")
# Events whose arguments start with paths the call changes.
_CHANGE_EVENTS = {
    "os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.chmod": 1, "os.chown": 1, "os.chflags": 1, "os.lchflags": 1,
    "os.truncate": 1, "os.utime": 1, "os.mkfifo": 1, "os.mknod": 1, "os.setxattr": 1, "os.removexattr": 1,
    "os.rename": 2, "os.link": 2, "os.symlink": 2, "shutil.rmtree": 1, "shutil.move": 2, "shutil.copyfile": 2,
    "shutil.copytree": 2, "shutil.make_archive": 1, "shutil.chown": 1, "shutil.copymode": 2, "shutil.copystat": 2,
}
# Modules that start programs without an audit event: importing them again after install() is refused.
_UNAUDITED_MODULES = ("_posixsubprocess",)
_DENIED_UNDER_READ = ("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh", "/etc/ssl/private")


def _is_address(host):
    """A numeric address needs no look-up; connecting to it is what is refused."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def install():
    if not _CONFIG:
        return
    realpath, normcase, join, fspath = os.path.realpath, os.path.normcase, os.path.join, os.fspath
    writable = tuple(realpath(p) for p in _CONFIG["write"]) + ("/dev/null",)
    readable = tuple(realpath(p) for p in _CONFIG["read"]) + writable
    own_host = {"localhost", "127.0.0.1", "::1", socket.gethostname()}
    inside = lambda path, roots: any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)  # noqa: E731
    refused_names = set(_PROCESS_EVENTS) | set(_NATIVE_EVENTS)
    state = threading.local()

    isdir = os.path.isdir

    def resolve(path):
        if isinstance(path, int):
            return None  # an open file or folder: checked when it was opened
        path = fspath(path)
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        return normcase(realpath(join(os.getcwd(), path)))

    def refuse(action, target):
        emit({"type": "sandbox", "action": action, "target": str(target)[:300]})
        raise PermissionError(f"Hangar's verification sandbox refused {action} {str(target)[:300]}: a DAG must not do this while it is imported or tested")

    def check_write(path, action):
        real = resolve(path)
        if real is not None and not inside(real, writable):
            refuse(action, real)

    def check_read(path, descriptor=False):
        real = resolve(path)
        if real is None:
            return
        if not inside(real, readable) or inside(real, _DENIED_UNDER_READ):
            refuse("reading", real)
        # A folder's descriptor from os.open outside the writable folders would let os.open(name, dir_fd=...) write
        # beside it unseen (the audit event carries the name, not the folder).
        if descriptor and isdir(real) and not inside(real, writable):
            refuse("opening the folder", real)

    def hook(event, args):
        if getattr(state, "busy", False):
            return  # the hook's own calls
        state.busy = True
        try:
            if event == "open":
                path, mode, flags = args
                writes = (mode is not None and any(c in mode for c in "wax+")) or (mode is None and flags & _WRITE_FLAGS)
                if writes:
                    check_write(path, "writing")
                else:
                    check_read(path, descriptor=mode is None)
            elif event in ("os.listdir", "os.scandir"):
                if args and args[0] is not None:
                    check_read(args[0])
            elif event in _CHANGE_EVENTS:
                for path in args[: _CHANGE_EVENTS[event]]:
                    if path is not None:
                        check_write(path, event.replace("os.", "").replace("shutil.", "") + " of")
            elif event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"):
                address = args[1] if len(args) > 1 else None
                if isinstance(address, (str, bytes)) and getattr(args[0], "family", None) == socket.AF_UNIX:
                    check_write(address, "a Unix socket connection to")
                elif address is not None:
                    refuse("a network connection to" if event != "socket.bind" else "listening on", address)
            elif event in _LOOKUP_EVENTS:
                host = args[0] if args else None
                if isinstance(host, bytes):
                    host = host.decode("ascii", "replace")
                if isinstance(host, tuple):
                    host = host[0]
                if host is not None and str(host) not in own_host and not _is_address(str(host)):
                    refuse("a name look-up of", host)
            elif event == "sqlite3.connect":
                database = os.fsdecode(args[0]) if args and args[0] is not None else ""
                if database.startswith("file:"):
                    database = database[len("file:"):].split("?")[0]
                if database not in ("", ":memory:"):
                    check_write(database, "opening a database at")
            elif event == "shutil.unpack_archive":
                check_write(args[1], "unpacking into")
            elif event in refused_names:
                action = "starting a program:" if event in _PROCESS_EVENTS else "loading native code:"
                refuse(action, args[0] if args else event)
            elif event in _HOST_EVENTS:
                refuse("changing the host:", event)
            elif event == "import" and args and args[0] in _UNAUDITED_MODULES:
                refuse("importing", args[0])
            elif event == "sys.addaudithook":
                refuse("replacing the audit hook:", "sys.addaudithook")
        finally:
            state.busy = False

    sys.addaudithook(hook)
    _close_unaudited_spawn(refuse)


def _close_unaudited_spawn(refuse):
    """_posixsubprocess.fork_exec starts a program without an audit event (subprocess and multiprocessing call it
    after their own events, or none): every reference to it is replaced by one that refuses."""

    def fork_exec(*args, **kwargs):
        executable = args[1][0] if len(args) > 1 and args[1] else "a program"
        refuse("starting a program:", os.fsdecode(executable) if isinstance(executable, bytes) else executable)

    for module in (sys.modules.get("_posixsubprocess"), subprocess):
        for name in ("fork_exec", "_fork_exec"):
            if module is not None and hasattr(module, name):
                setattr(module, name, fork_exec)
