"""The assay sandbox runner: one persistent Python namespace behind a JSON-lines channel.

The host writes one JSON request per line on stdin and reads one JSON reply per line on
stdout. Two processes share the work so that code can never write to that reply channel:

- the supervisor (this file run plainly, PID 1 of the container) holds stdin and stdout, is
  not dumpable (so no process of the same user can open its /proc files or ptrace it), owns
  the output pipes, the deadline, the workspace scan and the cleanup, and builds every reply;
- the kernel (this file run with --kernel, a fresh interpreter) runs the code in the persistent
  namespace and reports the value, the error and figures over a private pipe. It inherits none
  of the supervisor's descriptors, and what it reports is parsed as untrusted input.

The kernel is stopped (SIGSTOP) between calls, so threads the code started do not run, write
or use CPU while no call is in progress. The supervisor exits as soon as stdin ends (the host
went away), which stops the container even while a call is running. Standard library only,
Python 3.8 or newer, so it also runs in images assay did not build.
"""

import ast
import base64
import io
import json
import linecache
import os
import select
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
SENTINEL = b"\x00\x1b" + os.urandom(12).hex().encode() + b"\x1b\x00"
MAX_FIGURES = 10
MAX_FILES = 20
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ARTIFACT_BYTES = 24 * 1024 * 1024
MAX_SCAN_ENTRIES = 5000
TRACEBACK_CHARS = 6000
FONT_CACHE = "/opt/assay/matplotlib"
MAX_KERNEL_REPLY = 48 * 1024 * 1024
READ_BYTES = 1 << 16
INTERRUPT_EVERY_S = 0.1
POLL_S = 0.05


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


class Supervisor:
    """Holds the host channel; runs nothing the host sends, only hands it to the kernel."""

    def __init__(self):
        protect_self()
        self.host = os.dup(0)
        self.inbox = bytearray()
        self.inbox_scanned = 0
        self.replies = os.dup(1)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.close(null)
        self.out_fd, self.stdout = self._capture()
        self.err_fd, self.stderr = self._capture()
        self.interrupted = False
        self.kernel_lock = threading.Condition()
        self.kernel = None
        self.kernel_status = None
        self.watched = {}
        self.marks = 0
        os.makedirs(WORKSPACE, exist_ok=True)
        os.chdir(WORKSPACE)
        seed_font_cache()
        threading.Thread(target=self._reap, daemon=True).start()

    @staticmethod
    def _capture():
        read_fd, write_fd = os.pipe()
        capture = Capture(read_fd)
        capture.start()
        return write_fd, capture

    def _reap(self):
        """The only waitpid in the supervisor: as PID 1 it also collects orphans of the code."""
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                time.sleep(0.05)
                continue
            except InterruptedError:
                continue
            with self.kernel_lock:
                if self.kernel is not None and pid == self.kernel[0]:
                    self.kernel_status = status
                if pid in self.watched:
                    self.watched[pid] = status
                self.kernel_lock.notify_all()

    def start_kernel(self):
        # Every descriptor Python opens is close-on-exec (PEP 446): the kernel gets its output
        # pipes as 1 and 2, /dev/null as 0 and its two private pipes, nothing else.
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        with self.kernel_lock:
            pid = os.fork()
            if pid == 0:
                try:
                    os.dup2(self.out_fd, 1)
                    os.dup2(self.err_fd, 2)
                    os.set_inheritable(req_r, True)
                    os.set_inheritable(rep_w, True)
                    os.execv(
                        sys.executable,
                        [sys.executable, "-B", __file__, "--kernel", str(req_r), str(rep_w)],
                    )
                finally:
                    os._exit(127)
            self.kernel = (pid, os.fdopen(req_w, "wb"), rep_r)
            self.kernel_status = None
        os.close(req_r)
        os.close(rep_w)
        self.pending = bytearray()
        self.pending_scanned = 0

    def kernel_gone(self):
        """Ends the container: the host sees the exit and restarts with fresh state."""
        with self.kernel_lock:
            status = self.kernel_status
        if status is not None and os.WIFSIGNALED(status):
            how = "was killed by signal %d" % os.WTERMSIG(status)
        elif status is not None:
            how = "exited with code %d" % os.WEXITSTATUS(status)
        else:
            how = "broke the kernel protocol"
        os.write(2, ("assay runner: the python process %s\n" % how).encode())
        os._exit(3)

    def ask_kernel(self, message, deadline=None):
        """Sends one request to the kernel and waits for its reply line (untrusted)."""
        if self.kernel is None:
            self.start_kernel()
        pid, pipe, rep_r = self.kernel
        # A fresh random id per call: the code can write lines into the kernel's reply pipe, but
        # it cannot know a later call's id, so it cannot answer calls that have not happened.
        message = dict(message, id=os.urandom(16).hex())
        os.kill(pid, signal.SIGCONT)
        try:
            pipe.write((json.dumps(message) + "\n").encode())
            pipe.flush()
        except OSError:
            self.kernel_gone()
        self.interrupted = False
        alarm = None if deadline is None else time.monotonic() + deadline
        return self.read_kernel(message.get("id"), alarm)

    def read_kernel(self, wanted, alarm):
        """Reads reply lines until the one for `wanted`. Past `alarm` (a monotonic time) the
        kernel is interrupted, then again every 100 ms until it answers; meanwhile the host
        channel is watched, so the container ends as soon as the host goes away."""
        pid, _, rep_r = self.kernel
        while True:
            line = take_line(self.pending, self.pending_scanned)
            if line is not None:
                self.pending_scanned = 0
                try:
                    reply = json.loads(line)
                except ValueError:
                    continue
                if isinstance(reply, dict) and reply.get("id") == wanted:
                    return reply
                continue
            self.pending_scanned = len(self.pending)
            if len(self.pending) > MAX_KERNEL_REPLY:
                self.kernel_gone()
            with self.kernel_lock:
                dead = self.kernel_status is not None
            wait = POLL_S
            if alarm is not None:
                now = time.monotonic()
                if now >= alarm:
                    self.interrupted = True
                    alarm = now + INTERRUPT_EVERY_S
                    try:
                        os.kill(pid, signal.SIGINT)
                    except OSError:
                        pass
                wait = min(wait, alarm - now)
            ready = self.wait([rep_r], wait)
            if ready:
                chunk = os.read(rep_r, READ_BYTES)
                if not chunk:
                    self.kernel_gone()
                self.pending += chunk
            elif dead and ready is None:
                self.kernel_gone()

    def wait(self, fds, timeout):
        """Waits up to `timeout` seconds for one of `fds` to be readable, reading whatever the
        host sends meanwhile (its end ends the container, even mid-call). Returns the ready ones
        of `fds`, or None when nothing at all was ready."""
        ready, _, _ = select.select(fds + [self.host], [], [], max(timeout, 0))
        if not ready:
            return None
        if self.host in ready:
            self.read_host()
            ready.remove(self.host)
        return ready

    def read_host(self):
        chunk = os.read(self.host, READ_BYTES)
        if not chunk:
            # The host went away (or closed stdin): nothing may outlive it. As PID 1, exiting
            # ends every process in the container.
            os._exit(0)
        self.inbox += chunk

    def next_request(self):
        """The next request line, read on this thread: no handoff between threads per call."""
        while True:
            line = take_line(self.inbox, self.inbox_scanned)
            if line is not None:
                self.inbox_scanned = 0
                return line
            self.inbox_scanned = len(self.inbox)
            self.read_host()

    def pause_kernel(self):
        if self.kernel is not None:
            try:
                os.kill(self.kernel[0], signal.SIGSTOP)
            except OSError:
                pass

    def send(self, message):
        data = (json.dumps(message, ensure_ascii=True, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(self.replies, view)
            view = view[written:]

    def serve(self):
        self.start_kernel()
        self.send({"type": "ready", "protocol": PROTOCOL, "python": sys.version.split()[0]})
        while True:
            line = self.next_request()
            try:
                request = json.loads(line)
            except ValueError:
                self.send({"type": "error", "message": "request is not JSON"})
                continue
            kind = request.get("type")
            if kind == "exec":
                self.send(self.execute(request))
            elif kind == "verify":
                self.send(self.verify(request))
            elif kind == "warmup":
                self.send(self.warmup(request))
            elif kind == "ping":
                self.send({"type": "pong", "id": request.get("id")})
            else:
                self.send({"type": "error", "id": request.get("id"), "message": "unknown type"})

    def warmup(self, request):
        reply = self.ask_kernel({"type": "warmup", "modules": request.get("modules", [])})
        self.pause_kernel()
        modules = [m for m in reply.get("modules", []) if isinstance(m, str)][:100]
        return {"type": "warmed", "id": request.get("id"), "modules": modules}

    def execute(self, request):
        limit = int(request.get("output_bytes", 16384))
        timeout = float(request.get("timeout_s", 30))
        self.stdout.reset(limit)
        self.stderr.reset(limit)
        before = scan_workspace()
        started = time.monotonic()
        reply = self.ask_kernel(
            {"type": "exec", "code": str(request.get("code", "")), "limit": limit},
            deadline=timeout,
        )
        duration_ms = (time.monotonic() - started) * 1000
        status = "ok" if reply.get("status") == "ok" else "error"
        error = checked_error(reply.get("error")) if status == "error" else None
        if status == "error" and self.interrupted and error and error["type"] == "KeyboardInterrupt":
            status = "timeout"
        value = reply.get("value")
        stopped = stop_strays(self.kernel[0])
        self.pause_kernel()
        figures = checked_figures(reply.get("figures"))
        files, omitted = collect_files(before)
        out, err = self.collect_output()
        return {
            "type": "result",
            "id": request.get("id"),
            "status": status,
            "stdout": out,
            "stderr": err,
            "value": cap_text(value, limit) if isinstance(value, str) else None,
            "error": error,
            "figures": figures,
            "files": files,
            "files_omitted": omitted,
            "stopped_processes": stopped,
            "duration_ms": round(duration_ms, 3),
        }

    def spawn(self, args, keep):
        """Starts `python3 -B args...` with output to the capture pipes and only `keep` open."""
        with self.kernel_lock:
            pid = os.fork()
            if pid == 0:
                try:
                    os.dup2(self.out_fd, 1)
                    os.dup2(self.err_fd, 2)
                    for fd in keep:
                        os.set_inheritable(fd, True)
                    os.execv(sys.executable, [sys.executable, "-B"] + [str(a) for a in args])
                finally:
                    os._exit(127)
            self.watched[pid] = None
        for fd in keep:
            os.close(fd)
        return pid

    def verify(self, request):
        """code_tests: the verdict is the exit status of a test process the candidate cannot
        reach (see verify.py), read here with waitpid; nothing the candidate writes counts."""
        limit = int(request.get("output_bytes", 16384))
        deadline = time.monotonic() + float(request.get("timeout_s", 30))
        self.stdout.reset(limit)
        self.stderr.reset(limit)
        before = scan_workspace()
        started = time.monotonic()
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify.py")
        job_r, job_w = os.pipe()
        ready_r, ready_w = os.pipe()
        t2c_r, t2c_w = os.pipe()
        c2t_r, c2t_w = os.pipe()
        # -I: no user site-packages or PYTHON* variables, so nothing the candidate writes to
        # the workspace (its HOME) can end up on the test process's import path.
        tests = self.spawn(
            ["-I", script, "tests", job_r, ready_w, c2t_r, t2c_w], [job_r, ready_w, c2t_r, t2c_w]
        )
        # The candidate starts only once the test process is undumpable.
        ready = None
        while not ready and time.monotonic() < deadline:
            ready = self.wait([ready_r], min(deadline - time.monotonic(), POLL_S))
        protected = bool(ready) and os.read(ready_r, 1) == b"1"
        os.close(ready_r)
        candidate = None
        if protected:
            candidate = self.spawn([script, "candidate", t2c_r, c2t_w], [t2c_r, c2t_w])
            job = json.dumps({"candidate": str(request.get("code", "")), "tests": str(request.get("tests", ""))})
            try:
                with os.fdopen(job_w, "wb") as handle:
                    handle.write(job.encode())
            except OSError:
                pass
        else:
            os.close(job_w)
            for fd in (t2c_r, c2t_w):
                os.close(fd)
        # The reaper thread reports the exit; the host channel is checked between waits.
        while True:
            with self.kernel_lock:
                done = self.kernel_lock.wait_for(
                    lambda: self.watched.get(tests) is not None,
                    min(max(deadline - time.monotonic(), 0), POLL_S),
                )
            if done or time.monotonic() >= deadline:
                break
            self.wait([], 0)
        with self.kernel_lock:
            status = self.watched.pop(tests, None)
        duration_ms = (time.monotonic() - started) * 1000
        for pid in (tests, candidate):
            if pid is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        stop_strays(self.kernel[0] if self.kernel else None)
        with self.kernel_lock:
            self.watched.pop(candidate, None)
        files, omitted = collect_files(before)
        out, err = self.collect_output()
        if status is None:
            outcome, error = "timeout", None
        elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            outcome, error = "ok", None
        else:
            outcome = "error"
            how = (
                "exited with code %d" % os.WEXITSTATUS(status)
                if os.WIFEXITED(status)
                else "was killed by signal %d" % os.WTERMSIG(status)
            )
            error = {"type": "TestsFailed", "message": "the test process " + how, "traceback": ""}
        return {
            "type": "result",
            "id": request.get("id"),
            "status": outcome,
            "stdout": out,
            "stderr": err,
            "value": None,
            "error": error,
            "figures": [],
            "files": files,
            "files_omitted": omitted,
            "stopped_processes": 0,
            "duration_ms": round(duration_ms, 3),
        }

    def collect_output(self):
        self.marks += 1
        os.write(self.out_fd, SENTINEL)
        os.write(self.err_fd, SENTINEL)
        self.stdout.wait_mark(self.marks, 5)
        self.stderr.wait_mark(self.marks, 5)
        with self.stdout.cond, self.stderr.cond:
            return self.stdout.buffer.result(), self.stderr.buffer.result()


class Kernel:
    """Runs the code in the persistent namespace; talks only to the supervisor."""

    def __init__(self, request_fd, reply_fd):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.requests = os.fdopen(request_fd, "rb")
        self.replies = reply_fd
        os.set_inheritable(request_fd, False)
        os.set_inheritable(reply_fd, False)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = io.TextIOWrapper(
            io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
        )
        sys.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
        )
        self.namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        self.cells = 0
        os.chdir(WORKSPACE)

    def send(self, message):
        data = (json.dumps(message, ensure_ascii=True, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self.replies, view) :]

    def serve(self):
        for line in self.requests:
            request = json.loads(line)
            if request.get("type") == "exec":
                self.send(self.execute(request))
            else:
                self.send(self.warmup(request))
        os._exit(0)

    def warmup(self, request):
        loaded = []
        for name in request.get("modules", []):
            try:
                __import__(name)
                loaded.append(name)
            except Exception:
                pass
        return {"id": request.get("id"), "modules": loaded}

    def execute(self, request):
        limit = int(request.get("limit", 16384))
        status, value, error = "ok", None, None
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            try:
                value = self.run_cell(str(request.get("code", "")))
            finally:
                if os.getpid() != MAIN_PID:
                    leave_child()
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        except BaseException as exc:
            status = "error"
            error = describe_error(exc)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        return {
            "id": request.get("id"),
            "status": status,
            "value": cap_text(value, limit) if value is not None else None,
            "error": error,
            "figures": collect_figures(),
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


def protect_self():
    """Makes the supervisor undumpable: code running as the same user then cannot open its
    /proc/<pid>/fd (the reply channel), read or write its memory, or ptrace it. Refuses to
    run when that cannot be done, since the channel would be open to forged replies."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_dumpable, pr_get_dumpable = 4, 3
    if libc.prctl(pr_set_dumpable, 0, 0, 0, 0) != 0 or libc.prctl(pr_get_dumpable, 0, 0, 0, 0) != 0:
        os.write(2, b"assay runner: cannot make the supervisor undumpable (prctl failed)\n")
        os._exit(2)


def checked_error(error):
    """The kernel's error report, reduced to three capped strings (it is untrusted input)."""
    if not isinstance(error, dict):
        return {"type": "Error", "message": "the code failed", "traceback": ""}
    pick = lambda key, cap: str(error.get(key, ""))[:cap]  # noqa: E731
    return {
        "type": pick("type", 200) or "Error",
        "message": pick("message", 2000),
        "traceback": pick("traceback", TRACEBACK_CHARS + 100),
    }


def take_line(buffer, scanned):
    """Removes the first line from `buffer` (a bytearray) and returns it without its newline,
    or None when there is no whole line; its first `scanned` bytes are known to hold none."""
    at = buffer.find(b"\n", scanned)
    if at < 0:
        return None
    line = bytes(buffer[:at])
    del buffer[: at + 1]
    return line


def checked_figures(figures):
    kept, total = [], 0
    if not isinstance(figures, list):
        return kept
    for figure in figures[:MAX_FIGURES]:
        if not isinstance(figure, dict):
            continue
        name, data = figure.get("name"), figure.get("data")
        if not isinstance(name, str) or not isinstance(data, str) or len(name) > 200:
            continue
        total += len(data)
        if total > MAX_ARTIFACT_BYTES * 4 // 3:
            break
        kept.append({"name": name, "data": data})
    return kept

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
    """True only inside an assay container: marked by the host, not root, PID 1 of its namespace.

    Ending "every other process" is only safe where this process is the container's PID 1;
    anywhere else those would be the machine's processes, so the runner refuses.
    """
    return (
        os.environ.get("ASSAY_SANDBOX") == "1"
        and os.getuid() != 0
        and os.geteuid() != 0
        and os.getpid() == 1
    )


def other_processes(keep):
    """Pids of this container's processes other than the runner's two, zombies left out."""
    pids = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return pids
    for name in names:
        if not name.isdigit() or int(name) in (1, os.getpid(), keep):
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != b"Z":
            pids.append(int(name))
    return pids


def stop_strays(kernel):
    """Ends processes the call left behind (all but the supervisor and the kernel), so a call's
    children never outlive it. The reaper thread collects them."""
    if not in_own_sandbox():
        return 0
    strays = other_processes(kernel)
    count = len(strays)
    deadline = time.monotonic() + 2.0
    # SIGSTOP first so a fork bomb cannot outrun the kill, then SIGKILL; a dying process can
    # take a while to exit under load, so wait (bounded) for the pids and memory to come back.
    while strays and time.monotonic() < deadline:
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in strays:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        time.sleep(0.005)
        strays = other_processes(kernel)
    return count


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
    if len(sys.argv) == 4 and sys.argv[1] == "--kernel":
        Kernel(int(sys.argv[2]), int(sys.argv[3])).serve()
    else:
        Supervisor().serve()
