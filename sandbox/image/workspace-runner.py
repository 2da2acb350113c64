"""The assay workspace runner: a persistent shell and file tools confined to /workspace.

Same channel as runner.py: one JSON request per line on stdin, one JSON reply per line on
stdout, a ready line first. It runs in its own container (never beside the python runner),
so the agent's shell and edits share nothing with a python tool session. Standard library
only; git is used for the base snapshot and the final diff when the image has it.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workspace_patch import PatchError, apply_patch_text  # noqa: E402

PROTOCOL = 1
WORKSPACE = os.path.realpath(os.environ.get("ASSAY_WORKSPACE", "/workspace"))
STATE = "/tmp/.assay-workspace"
GIT_DIR = STATE + "/base.git"
READ_LIMIT_LINES = 2000
READ_MAX_BYTES = 256 * 1024
LINE_MAX_CHARS = 2000


class ToolError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def resolve(path, must_exist=False):
    """An absolute path inside the workspace, with every symlink resolved, or a ToolError."""
    if not isinstance(path, str) or path == "" or "\x00" in path:
        raise ToolError("PATH_INVALID", "the path must be a non-empty string")
    joined = path if os.path.isabs(path) else os.path.join(WORKSPACE, path)
    real = os.path.realpath(joined)
    if real != WORKSPACE and not real.startswith(WORKSPACE + os.sep):
        raise ToolError(
            "PATH_OUTSIDE_WORKSPACE",
            "The path %s resolves to %s, outside %s; only files inside the workspace can be used."
            % (path, real, WORKSPACE),
        )
    if must_exist and not os.path.exists(real):
        raise ToolError("PATH_NOT_FOUND", "The path %s does not exist. Please provide a valid path." % path)
    return real


def rel(real):
    return os.path.relpath(real, WORKSPACE)


class Capped:
    """Keeps the first and last bytes of a stream and counts what falls in between."""

    def __init__(self, limit):
        self.head_limit = limit - limit // 2
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

    def text(self):
        tail = bytes(self.tail[-self.tail_limit :]) if self.tail_limit > 0 else b""
        dropped = self.total - len(self.head) - len(tail)
        out = bytes(self.head).decode("utf-8", "replace")
        if dropped > 0:
            out += "\n[... %d bytes dropped ...]\n" % dropped
        return out + tail.decode("utf-8", "replace"), dropped


class Stream(threading.Thread):
    """Drains one of the shell's pipes; a marker line ends one command's output."""

    def __init__(self, fd, marker):
        super().__init__(daemon=True)
        self.fd = fd
        self.marker = marker
        self.cond = threading.Condition()
        self.buffer = Capped(0)
        self.ends = []

    def reset(self, limit):
        with self.cond:
            self.buffer = Capped(limit)
            self.ends = []

    def run(self):
        pending = b""
        keep = len(self.marker) + 64
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                chunk = b""
            with self.cond:
                if not chunk:
                    self.ends.append(None)
                    self.cond.notify_all()
                    return
                pending += chunk
                while True:
                    at = pending.find(self.marker)
                    newline = pending.find(b"\n", at) if at >= 0 else -1
                    if at < 0 or newline < 0:
                        break
                    self.buffer.write(pending[:at])
                    self.ends.append(pending[at + len(self.marker) : newline].decode("utf-8", "replace"))
                    pending = pending[newline + 1 :]
                    self.cond.notify_all()
                if len(pending) > keep:
                    self.buffer.write(pending[: len(pending) - keep])
                    pending = pending[len(pending) - keep :]

    def wait_end(self, timeout):
        with self.cond:
            self.cond.wait_for(lambda: self.ends, timeout)
            return self.ends[0] if self.ends else False


class Shell:
    """One bash kept for the episode; commands are sourced so cd and export persist."""

    def __init__(self):
        self.cwd = WORKSPACE
        self.proc = None
        self.count = 0

    def start(self):
        self.marker = ("__ASSAY_%s__" % os.urandom(8).hex()).encode()
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.cwd,
            start_new_session=True,
        )
        self.out = Stream(self.proc.stdout.fileno(), self.marker)
        self.err = Stream(self.proc.stderr.fileno(), self.marker)
        self.out.start()
        self.err.start()

    def descendants(self):
        children = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
        found, stack = [], [self.proc.pid]
        while stack:
            for child in children.get(stack.pop(), []):
                found.append(child)
                stack.append(child)
        return found

    def kill_shell(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        self.proc = None

    def run(self, command, timeout_s, output_bytes):
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.count += 1
        script = STATE + "/command-%d.sh" % self.count
        with open(script, "w") as f:
            f.write(command + "\n")
        self.out.reset(output_bytes)
        self.err.reset(output_bytes)
        marker = self.marker.decode()
        line = ". %s </dev/null; printf '\\n%s%%s %%s\\n' \"$?\" \"$PWD\"; printf '\\n%s\\n' >&2\n" % (
            script,
            marker,
            marker,
        )
        started = time.monotonic()
        self.proc.stdin.write(line.encode())
        self.proc.stdin.flush()
        end = self.out.wait_end(timeout_s)
        note = ""
        timed_out = end is False
        if timed_out:
            for pid in self.descendants():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            end = self.out.wait_end(2)
            if end is False:
                self.kill_shell()
                note = "\n[the shell did not stop, so it was restarted in %s; exported variables were lost]" % self.cwd
        self.err.wait_end(1)
        os.unlink(script)
        exit_code = None
        if end is None:
            self.kill_shell()
            note = "\n[the shell exited; a new one starts in %s on the next call]" % self.cwd
        elif end:
            code, _, cwd = end.partition(" ")
            exit_code = int(code) if code.isdigit() else None
            if cwd:
                self.cwd = cwd
        stdout, out_dropped = self.out.buffer.text()
        stderr, err_dropped = self.err.buffer.text()
        # The marker's own leading newline.
        if stdout.endswith("\n"):
            stdout = stdout[:-1]
        if stderr.endswith("\n"):
            stderr = stderr[:-1]
        return {
            "exit_code": exit_code,
            "timed_out": timed_out,
            "stdout": stdout,
            "stderr": stderr,
            "dropped_bytes": out_dropped + err_dropped,
            "cwd": self.cwd,
            "note": note,
            "duration_ms": (time.monotonic() - started) * 1000,
        }


def read_file(path, offset, limit):
    real = resolve(path, must_exist=True)
    if os.path.isdir(real):
        names = sorted(os.listdir(real))[:500]
        listing = "\n".join(n + ("/" if os.path.isdir(os.path.join(real, n)) else "") for n in names)
        return "%s is a directory:\n%s" % (path, listing)
    size = os.path.getsize(real)
    with open(real, "rb") as f:
        head = f.read(8192)
        if b"\x00" in head:
            return "%s is a binary file of %d bytes; it is not shown." % (path, size)
        data = head + f.read(READ_MAX_BYTES * 64)
    lines = data.decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    total = len(lines)
    start = max(1, offset or 1)
    count = limit or READ_LIMIT_LINES
    window = lines[start - 1 : start - 1 + count]
    out, used = [], 0
    for n, text in enumerate(window, start):
        if len(text) > LINE_MAX_CHARS:
            text = text[:LINE_MAX_CHARS] + " [line cut at %d characters]" % LINE_MAX_CHARS
        row = "%6d\t%s" % (n, text)
        used += len(row) + 1
        if used > READ_MAX_BYTES:
            break
        out.append(row)
    last = start + len(out) - 1
    if total == 0:
        return "%s is empty." % path
    if start > total:
        return "%s has %d lines; offset %d is past the end." % (path, total, start)
    if last < total:
        out.append("[lines %d-%d of %d; %d more: read_file with offset=%d]" % (start, last, total, total - last, last + 1))
    return "\n".join(out)


def write_file(path, content):
    real = resolve(path)
    if os.path.isdir(real):
        raise ToolError("PATH_IS_DIRECTORY", "%s is a directory." % path)
    os.makedirs(os.path.dirname(real), exist_ok=True)
    existed = os.path.exists(real)
    # Resolved again after creating folders: a component may have become a symlink meanwhile.
    real = resolve(path)
    with open(real, "w", encoding="utf-8") as f:
        f.write(content)
    return "%s %s (%d bytes)." % ("Overwrote" if existed else "Created", rel(real), len(content.encode()))


def line_of(text, index):
    return text.count("\n", 0, index) + 1


def edit_file(path, old, new, replace_all):
    real = resolve(path, must_exist=True)
    if os.path.isdir(real):
        raise ToolError("PATH_IS_DIRECTORY", "%s is a directory." % path)
    with open(real, encoding="utf-8", errors="strict") as f:
        text = f.read()
    if old == "":
        raise ToolError("EDIT_INVALID", "old_string is empty; use write_file to create a file.")
    if old == new:
        raise ToolError("EDIT_INVALID", "old_string and new_string are the same; nothing would change.")
    starts, at = [], text.find(old)
    while at >= 0:
        starts.append(at)
        at = text.find(old, at + 1)
    if not starts:
        raise ToolError(
            "EDIT_NO_MATCH",
            "No replacement was performed, old_string `%s` did not appear verbatim in %s." % (old, path),
        )
    if len(starts) > 1 and not replace_all:
        lines = [line_of(text, s) for s in starts]
        raise ToolError(
            "EDIT_NOT_UNIQUE",
            "No replacement was performed. Multiple occurrences of old_string `%s` in lines %s (%d matches). Please ensure it is unique, or set replace_all."
            % (old, lines, len(starts)),
        )
    updated = text.replace(old, new) if replace_all else text.replace(old, new, 1)
    with open(real, "w", encoding="utf-8") as f:
        f.write(updated)
    first = line_of(updated, starts[0])
    snippet_lines = updated.split("\n")
    lo = max(0, first - 5)
    hi = min(len(snippet_lines), first + new.count("\n") + 4)
    snippet = "\n".join("%6d\t%s" % (n + 1, snippet_lines[n]) for n in range(lo, hi))
    return "Edited %s (%d replacement%s). A snippet of the file:\n%s" % (
        path,
        len(starts) if replace_all else 1,
        "s" if replace_all and len(starts) > 1 else "",
        snippet,
    )


# Without this glibc hands the heap back after nearly every object `git add` writes (one `brk`
# pair per file, most of the system time of a 5,000-file snapshot); the memory is only reserved.
KEEP_HEAP = "glibc.malloc.trim_threshold=%d:glibc.malloc.top_pad=%d" % (256 << 20, 64 << 20)


def git_env():
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": STATE,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_DIR": GIT_DIR,
        "GIT_WORK_TREE": WORKSPACE,
        "LANG": "C.UTF-8",
        "GLIBC_TUNABLES": KEEP_HEAP,
    }


# Objects of the snapshot live only as long as the container: store them uncompressed.
GIT = [
    "git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "core.quotepath=false",
    "-c", "core.looseCompression=0", "-c", "pack.compression=0",
]


def git(*args, check=True):
    done = subprocess.run(GIT + list(args), env=git_env(), cwd=WORKSPACE, capture_output=True)
    if check and done.returncode != 0:
        command = next((a for a in args if not a.startswith("-") and "=" not in a), "")
        raise ToolError("GIT_FAILED", "git %s failed: %s" % (command, done.stderr.decode("utf-8", "replace")[-2000:]))
    return done.stdout.decode("utf-8", "replace")


def snapshot_tree(compress=False):
    # The base is stored uncompressed for speed; the final state may be large, so level 1.
    level = ["-c", "core.looseCompression=1"] if compress else []
    git(*level, "add", "-A", "--", ".")
    return git("write-tree").strip()


def snapshot_base():
    """The copy as it arrived, as a git tree and an index with every file's stat data.

    One `git add -A` (untracked, not ignored: the paths the final snapshot takes) hashes each
    file once and leaves stat data in the index, so the final `git add -A` hashes only the files
    that changed and nothing needs a refresh. The objects are loose and uncompressed; git's heap
    is kept (KEEP_HEAP), which makes the 5,000 small writes cheap.
    """
    git("init", "-q")
    return snapshot_tree()


def large_new_files(limit):
    """Files the base did not have that are past `limit` bytes: kept out of the diff."""
    tracked = set(git("ls-files", "-z").split("\0"))
    found = []
    for top, dirs, names in os.walk(WORKSPACE):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            path = os.path.join(top, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            relative = rel(path)
            if info.st_size > limit and relative not in tracked and os.path.isfile(path):
                found.append({"path": relative, "bytes": info.st_size})
    return sorted(found, key=lambda f: f["path"])


def glob_quote(path):
    return "".join("\\" + c if c in "*?[]\\!# " else c for c in path)


def diff(base, max_bytes, file_limit):
    # A huge new file (a log, a core dump, `head -c 1G`) would fill the snapshot's store and
    # the diff: it is left out by name and size, the way .gitignore leaves out build outputs.
    omitted = large_new_files(file_limit)
    os.makedirs(GIT_DIR + "/info", exist_ok=True)
    with open(GIT_DIR + "/info/exclude", "w") as f:
        f.write("".join("/%s\n" % glob_quote(o["path"]) for o in omitted))
    try:
        final = snapshot_tree(compress=True)
    except ToolError as error:
        raise ToolError(
            "DIFF_TOO_LARGE",
            "the changes could not be recorded (the container's /tmp holds the snapshot): %s" % error,
        )
    text = git("diff", "--binary", "--no-renames", "--full-index", base, final)
    numstat = git("diff", "--numstat", "--no-renames", base, final)
    files, insertions, deletions = [], 0, 0
    for row in numstat.splitlines():
        added, removed, name = row.split("\t", 2)
        files.append(name)
        insertions += int(added) if added.isdigit() else 0
        deletions += int(removed) if removed.isdigit() else 0
    data = text.encode()
    kept = data
    if len(data) > max_bytes:
        # Cut at a file boundary, so what is kept is still a patch of whole files.
        at = data.rfind(b"\ndiff --git ", 0, max_bytes + 1)
        kept = data[: at + 1] if at >= 0 else b""
    return {
        "tree": final,
        "diff": kept.decode("utf-8", "ignore"),
        "diff_bytes": len(data),
        "truncated": len(data) > max_bytes,
        "files_changed": files,
        "insertions": insertions,
        "deletions": deletions,
        "omitted": omitted,
    }


class Upload:
    """Unpacks a tar that follows its request line on stdin as raw bytes (no base64, no JSON).

    GNU tar does the work: it refuses members with `..`, strips leading `/`, and defers
    symlinks whose targets leave the tree, so an archive cannot write through a link it made.
    Every byte announced is read even when tar stops early, keeping the channel in step.
    """

    def __init__(self, source, size):
        self.source = source
        self.size = size

    def run(self):
        proc = subprocess.Popen(
            ["tar", "-x", "-v", "-f", "-", "-C", WORKSPACE, "--no-same-owner", "--no-same-permissions"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        counted = {"files": 0, "err": b""}

        def count():
            for _ in proc.stdout:
                counted["files"] += 1

        def errors():
            counted["err"] = proc.stderr.read()[-4000:]

        readers = [threading.Thread(target=count, daemon=True), threading.Thread(target=errors, daemon=True)]
        for reader in readers:
            reader.start()
        left, broken = self.size, False
        while left > 0:
            chunk = self.source.read(min(left, 1 << 20))
            if not chunk:
                raise EOFError("the host closed the channel during an upload")
            left -= len(chunk)
            if not broken:
                try:
                    proc.stdin.write(chunk)
                except BrokenPipeError:
                    broken = True
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        code = proc.wait()
        for reader in readers:
            reader.join()
        if code != 0:
            raise ToolError(
                "UPLOAD_INVALID", "the workspace copy failed: %s" % counted["err"].decode("utf-8", "replace").strip()
            )
        return counted["files"]


class Snapshot(threading.Thread):
    """Records the copy as it arrived (git add + write-tree) while the model reads the task.

    Requests that may change the workspace wait for it first, so the base is always the
    uploaded copy; read_file does not need to wait.
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.tree = None
        self.error = None

    def run(self):
        try:
            self.tree = snapshot_base()
        except BaseException as error:  # noqa: BLE001 - reported by the next request that waits
            self.error = error

    def result(self):
        self.join()
        if self.error is not None:
            raise ToolError("SNAPSHOT_FAILED", "recording the workspace copy failed: %s" % self.error)
        return self.tree


class Runner:
    def __init__(self, source):
        self.shell = Shell()
        self.source = source
        self.snapshot = None

    def handle(self, request):
        kind = request.get("type")
        if kind == "ping":
            return {}
        if kind == "upload":
            if self.snapshot is not None:
                self.snapshot.result()
            files = Upload(self.source, int(request["bytes"])).run()
            # The first copy is the base the diff is taken against; later ones (hidden tests) are
            # not, and a grader that never diffs asks for none.
            if self.snapshot is None and request.get("base", True):
                self.snapshot = Snapshot()
                self.snapshot.start()
            return {"data": {"files": files}}
        if kind == "base":
            return {"data": {"tree": self.base()}}
        if kind in ("bash", "write_file", "edit_file", "apply_patch") and self.snapshot is not None:
            self.snapshot.result()
        if kind == "bash":
            result = self.shell.run(request["command"], float(request["timeout_s"]), int(request["output_bytes"]))
            return {"data": result}
        if kind == "read_file":
            return {"content": read_file(request["path"], request.get("offset"), request.get("limit"))}
        if kind == "write_file":
            return {"content": write_file(request["path"], request["content"])}
        if kind == "edit_file":
            return {
                "content": edit_file(
                    request["path"], request["old_string"], request["new_string"], bool(request.get("replace_all"))
                )
            }
        if kind == "apply_patch":
            try:
                return {"content": apply_patch_text(request["patch"], resolve)}
            except PatchError as error:
                raise ToolError("PATCH_FAILED", str(error))
        if kind == "diff":
            base = self.base()
            limit = int(request.get("file_bytes", 16 * 1024 * 1024))
            return {"data": dict(diff(base, int(request["max_bytes"]), limit), base=base)}
        raise ToolError("REQUEST_INVALID", "unknown request type %r" % kind)

    def base(self):
        if self.snapshot is None:
            raise ToolError("NO_BASE", "the workspace was never uploaded")
        return self.snapshot.result()

    def serve(self):
        replies = sys.stdout.buffer
        replies.write((json.dumps({"type": "ready", "protocol": PROTOCOL, "python": sys.version.split()[0]}) + "\n").encode())
        replies.flush()
        # readline, not iteration: an upload's raw bytes are read from the same buffer after its line.
        while True:
            line = self.source.readline()
            if not line:
                return
            request = json.loads(line)
            reply = {"type": "reply", "id": request.get("id"), "ok": True, "content": "", "code": None, "data": None}
            try:
                reply.update(self.handle(request))
            except ToolError as error:
                reply.update(ok=False, code=error.code, content=str(error))
            except UnicodeDecodeError:
                reply.update(ok=False, code="NOT_TEXT", content="the file is not UTF-8 text")
            except OSError as error:
                reply.update(ok=False, code="OS_ERROR", content="%s: %s" % (error.strerror, error.filename or ""))
            replies.write((json.dumps(reply) + "\n").encode())
            replies.flush()


if __name__ == "__main__":
    os.makedirs(STATE, mode=0o700, exist_ok=True)
    os.chdir(WORKSPACE)
    Runner(sys.stdin.buffer).serve()
