"""The assay sandbox runner: one persistent Python namespace behind a JSON-lines channel.

The host writes one JSON request per line on stdin and reads one JSON reply per line on
stdout. Code runs in the main thread; its stdout and stderr (Python writes and file
descriptors 1 and 2, so subprocesses too) go through pipes into capped buffers. Standard
library only, Python 3.8 or newer, so it also runs in images assay did not build.
"""

import ast
import base64
import io
import json
import linecache
import os
import shutil
import signal
import stat
import sys
import threading
import time
import traceback

PROTOCOL = 1
WORKSPACE = os.environ.get("ASSAY_WORKSPACE", "/workspace")
MAIN_PID = os.getpid()
MAIN_THREAD = threading.main_thread().ident
SENTINEL = b"\x00\x1b" + os.urandom(12).hex().encode() + b"\x1b\x00"
MAX_FIGURES = 10
MAX_FILES = 20
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ARTIFACT_BYTES = 24 * 1024 * 1024
MAX_SCAN_ENTRIES = 5000
TRACEBACK_CHARS = 6000
FONT_CACHE = "/opt/assay/matplotlib"


class CappedBuffer:
    """Keeps the first and last bytes of a stream and counts what falls in between."""

    def __init__(self, limit):
        self.head_limit = max(limit - limit // 2, 0)
        self.tail_limit = limit // 2
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def write(self, data):
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data and self.tail_limit > 0:
            self.tail += data
            if len(self.tail) > 2 * self.tail_limit + 65536:
                del self.tail[: len(self.tail) - self.tail_limit]

    def result(self):
        tail = bytes(self.tail[-self.tail_limit :]) if self.tail_limit > 0 else b""
        kept = len(self.head) + len(tail)
        return {
            "head": bytes(self.head).decode("utf-8", "replace"),
            "tail": tail.decode("utf-8", "replace"),
            "total_bytes": self.total,
            "dropped_bytes": self.total - kept,
        }


class Capture(threading.Thread):
    """Drains one pipe into the current buffer; a sentinel marks the end of a call's output."""

    def __init__(self, read_fd):
        super().__init__(daemon=True)
        self.read_fd = read_fd
        self.cond = threading.Condition()
        self.buffer = CappedBuffer(0)
        self.marks = 0

    def reset(self, limit):
        with self.cond:
            self.buffer = CappedBuffer(limit)

    def run(self):
        pending = b""
        keep = len(SENTINEL) - 1
        while True:
            try:
                chunk = os.read(self.read_fd, 1 << 16)
            except InterruptedError:
                continue
            if not chunk:
                return
            pending += chunk
            with self.cond:
                while True:
                    at = pending.find(SENTINEL)
                    if at < 0:
                        break
                    self.buffer.write(pending[:at])
                    pending = pending[at + len(SENTINEL) :]
                    self.marks += 1
                    self.cond.notify_all()
                if len(pending) > keep:
                    self.buffer.write(pending[: len(pending) - keep])
                    pending = pending[len(pending) - keep :]

    def wait_mark(self, count, timeout):
        with self.cond:
            return self.cond.wait_for(lambda: self.marks >= count, timeout)


class Watchdog(threading.Thread):
    """Interrupts the main thread at the deadline, then again every 100 ms until disarmed."""

    def __init__(self):
        super().__init__(daemon=True)
        self.cond = threading.Condition()
        self.deadline = None
        self.fired = False

    def arm(self, seconds):
        with self.cond:
            self.deadline = time.monotonic() + seconds
            self.fired = False
            self.cond.notify_all()

    def disarm(self):
        with self.cond:
            self.deadline = None
            self.cond.notify_all()

    def run(self):
        while True:
            with self.cond:
                if self.deadline is None:
                    self.cond.wait()
                    continue
                remaining = self.deadline - time.monotonic()
                if remaining > 0:
                    self.cond.wait(remaining)
                    continue
                self.fired = True
                self.deadline = time.monotonic() + 0.1
            signal.pthread_kill(MAIN_THREAD, signal.SIGINT)


class Runner:
    def __init__(self):
        self.requests = os.fdopen(os.dup(0), "rb")
        self.replies = os.dup(1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        self.stdout = self._redirect(1)
        self.stderr = self._redirect(2)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = io.TextIOWrapper(
            io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
        )
        sys.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
        )
        self.watchdog = Watchdog()
        self.watchdog.start()
        self.namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        self.cells = 0
        self.marks = 0
        os.makedirs(WORKSPACE, exist_ok=True)
        os.chdir(WORKSPACE)
        seed_font_cache()

    @staticmethod
    def _redirect(fd):
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, fd)
        os.close(write_fd)
        capture = Capture(read_fd)
        capture.start()
        return capture

    def send(self, message):
        data = (json.dumps(message, ensure_ascii=True, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(self.replies, view)
            view = view[written:]

    def serve(self):
        self.send({"type": "ready", "protocol": PROTOCOL, "python": sys.version.split()[0]})
        for line in self.requests:
            try:
                request = json.loads(line)
            except ValueError:
                self.send({"type": "error", "message": "request is not JSON"})
                continue
            kind = request.get("type")
            if kind == "exec":
                self.send(self.execute(request))
            elif kind == "warmup":
                self.send(self.warmup(request))
            elif kind == "ping":
                self.send({"type": "pong", "id": request.get("id")})
            else:
                self.send({"type": "error", "id": request.get("id"), "message": "unknown type"})
        os._exit(0)

    def warmup(self, request):
        loaded = []
        for name in request.get("modules", []):
            try:
                __import__(name)
                loaded.append(name)
            except Exception:
                pass
        return {"type": "warmed", "id": request.get("id"), "modules": loaded}

    def execute(self, request):
        limit = int(request.get("output_bytes", 16384))
        timeout = float(request.get("timeout_s", 30))
        self.stdout.reset(limit)
        self.stderr.reset(limit)
        before = scan_workspace()
        started = time.monotonic()
        status, value, error = "ok", None, None
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.watchdog.arm(timeout)
            try:
                value = self.run_cell(str(request.get("code", "")))
            finally:
                if os.getpid() != MAIN_PID:
                    leave_child()
                self.watchdog.disarm()
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        except KeyboardInterrupt as exc:
            status = "timeout" if self.watchdog.fired else "error"
            error = describe_error(exc)
        except BaseException as exc:
            status = "error"
            error = describe_error(exc)
        duration_ms = (time.monotonic() - started) * 1000
        stopped = stop_strays()
        figures = collect_figures()
        files, omitted = collect_files(before)
        out, err = self.collect_output()
        return {
            "type": "result",
            "id": request.get("id"),
            "status": status,
            "stdout": out,
            "stderr": err,
            "value": cap_text(value, limit) if value is not None else None,
            "error": error,
            "figures": figures,
            "files": files,
            "files_omitted": omitted,
            "stopped_processes": stopped,
            "duration_ms": round(duration_ms, 3),
        }

    def run_cell(self, code):
        self.cells += 1
        filename = "<cell-%d>" % self.cells
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        tree = ast.parse(code, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), self.namespace)
        if last is None:
            return None
        result = eval(compile(last, filename, "eval"), self.namespace)
        if result is None:
            return None
        self.namespace["_"] = result
        return repr(result)

    def collect_output(self):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        self.marks += 1
        os.write(1, SENTINEL)
        os.write(2, SENTINEL)
        self.stdout.wait_mark(self.marks, 5)
        self.stderr.wait_mark(self.marks, 5)
        with self.stdout.cond, self.stderr.cond:
            return self.stdout.buffer.result(), self.stderr.buffer.result()


def seed_font_cache():
    """Copies the font cache built into the image, so matplotlib does not rebuild it."""
    target = os.environ.get("MPLCONFIGDIR")
    if not target or os.path.exists(target) or not os.path.isdir(FONT_CACHE):
        return
    try:
        shutil.copytree(FONT_CACHE, target)
    except OSError:
        pass


def leave_child():
    """A process forked by the user's code must never reach the reply channel: it ends here."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)


def cap_text(text, limit):
    data = text.encode("utf-8", "backslashreplace")
    if len(data) <= limit:
        return text
    half = max(limit // 2, 1)
    dropped = len(data) - 2 * half
    return (
        data[:half].decode("utf-8", "replace")
        + "\n[... %d bytes omitted ...]\n" % dropped
        + data[-half:].decode("utf-8", "replace")
    )


def describe_error(exc):
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    if isinstance(exc, SyntaxError):
        lines = traceback.format_exception_only(type(exc), exc)
    else:
        lines = traceback.format_exception(type(exc), exc, tb)
    text = "".join(lines)
    if len(text) > TRACEBACK_CHARS:
        text = "[... traceback trimmed ...]\n" + text[-TRACEBACK_CHARS:]
    return {"type": type(exc).__name__, "message": str(exc)[:2000], "traceback": text}


def in_own_sandbox():
    """True only inside an assay container: marked by the host, not root, child of the init.

    `kill(-1)` signals every process the caller may signal; outside a container's pid namespace
    that is the whole machine, so the runner refuses to use it unless all three hold.
    """
    return (
        os.environ.get("ASSAY_SANDBOX") == "1"
        and os.getuid() != 0
        and os.geteuid() != 0
        and os.getppid() == 1
    )


def other_processes():
    """Pids of this container's processes other than the init and the runner, zombies left out."""
    me = os.getpid()
    pids = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return pids
    for name in names:
        if not name.isdigit() or int(name) in (1, me):
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != b"Z":
            pids.append(int(name))
    return pids


def stop_strays():
    """Ends processes the call left behind, so a call's children never outlive it."""
    reap_children()
    strays = len(other_processes())
    if not strays or not in_own_sandbox():
        return 0
    deadline = time.monotonic() + 2.0
    # SIGKILL is delivered at once but a dying process can take a while to exit under load; wait
    # (bounded) so the next call starts with the pids and memory back.
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        reap_children(wait_s=0.02)
        if not other_processes() or time.monotonic() >= deadline:
            return strays
        time.sleep(0.005)


def reap_children(wait_s=0.0):
    """Collects exited children; after a kill, waits (bounded) until they are all gone."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid != 0:
            continue
        if time.monotonic() >= deadline:
            return
        time.sleep(0.005)


def collect_figures():
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    figures = []
    try:
        for number in pyplot.get_fignums()[:MAX_FIGURES]:
            buffer = io.BytesIO()
            pyplot.figure(number).savefig(buffer, format="png")
            figures.append(
                {
                    "name": "figure-%d.png" % number,
                    "data": base64.b64encode(buffer.getvalue()).decode(),
                }
            )
    except Exception:
        pass
    finally:
        try:
            pyplot.close("all")
        except Exception:
            pass
    return figures


def scan_workspace():
    seen = {}
    count = 0
    for root, dirs, names in os.walk(WORKSPACE):
        for name in names:
            count += 1
            if count > MAX_SCAN_ENTRIES:
                return seen
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                seen[path] = (st.st_mtime_ns, st.st_size)
    return seen


def collect_files(before):
    after = scan_workspace()
    changed = sorted(path for path, stamp in after.items() if before.get(path) != stamp)
    files, omitted, total = [], [], 0
    for path in changed:
        size = after[path][1]
        name = os.path.relpath(path, WORKSPACE)
        if len(files) >= MAX_FILES or size > MAX_FILE_BYTES or total + size > MAX_ARTIFACT_BYTES:
            omitted.append({"path": name, "size": size})
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            continue
        total += len(data)
        files.append({"path": name, "size": len(data), "data": base64.b64encode(data).decode()})
    return files, omitted


if __name__ == "__main__":
    Runner().serve()
