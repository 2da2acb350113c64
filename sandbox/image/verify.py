"""code_tests verification in two processes, so the code under test cannot forge its verdict.

The runner's supervisor starts both and judges only by the exit status of the first:

- `verify.py tests JOB READY FROM TO`: trusted. Makes itself undumpable (no process of the same
  user can read or write its memory, open its descriptors or ptrace it), says so on READY, reads
  the candidate and the tests from JOB, sends the candidate to the other process, and runs the
  tests in its own namespace. Names the candidate defined are stand-ins that forward every call,
  attribute and operator to the other process; values of builtin types come back as copies.
  It exits 0 only when the tests ran to their end; anything else (a failed assert, an exception,
  the other process dying or sending nonsense) exits 1.
- `verify.py candidate FROM TO`: untrusted. Runs the candidate and answers the forwarded calls.
  Whatever it does (print a marker, `os._exit(0)`, write to any descriptor it has, kill
  itself), it cannot make the trusted process exit 0 without the tests passing.

Standard library only, Python 3.8 or newer.
"""

import base64
import builtins
import ctypes
import importlib
import json
import operator
import os
import sys
import traceback
import types

MAX_LINE = 64 * 1024 * 1024
# Modules the candidate's namespace may hand to the tests by name (the tests import their own
# copy); any other module crosses as a stand-in, so the candidate cannot make the test process
# import something of its choosing.
SHARED_MODULES = frozenset(
    "math cmath re itertools functools collections string fractions decimal statistics heapq "
    "bisect random operator json copy datetime typing".split()
)
# Builtins the tests may pass to the candidate as callbacks (sorted(key=len) and the like).
PURE_BUILTINS = frozenset(
    "abs all any bool chr dict divmod float frozenset hash int len list max min ord pow repr "
    "reversed round set sorted str sum tuple".split()
)
MAX_DEPTH = 200
TRACEBACK_CHARS = 4000
# Operators a stand-in forwards; the candidate's objects keep their own semantics.
OPERATORS = {
    "__eq__": operator.eq,
    "__ne__": operator.ne,
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
    "__contains__": operator.contains,
    "__getitem__": operator.getitem,
    "__len__": len,
    "__bool__": bool,
    "__repr__": repr,
    "__str__": str,
    "__hash__": hash,
    "__int__": int,
    "__float__": float,
    "__index__": operator.index,
    "__iter__": list,
    "__add__": operator.add,
    "__sub__": operator.sub,
    "__mul__": operator.mul,
    "__neg__": operator.neg,
    "__abs__": abs,
}


class Channel:
    """One JSON line each way; lines are parsed strictly and their size is bounded."""

    def __init__(self, read_fd, write_fd):
        self.reader = os.fdopen(read_fd, "rb")
        self.write_fd = write_fd

    def send(self, message):
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view) :]

    def receive(self):
        line = self.reader.readline(MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise ProtocolError("the candidate's process ended or sent an oversized reply")
        message = json.loads(line)
        if not isinstance(message, dict):
            raise ProtocolError("the candidate's process sent a malformed reply")
        return message


class ProtocolError(Exception):
    pass


class CandidateError(Exception):
    """An exception the candidate raised whose type is not a builtin one."""


# ---------------------------------------------------------------- values as data


def encode(value, refs, depth=0):
    """Builtin values (exact types only) as data; anything else as a reference into `refs`."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return {"int": str(value)}
    if kind is float:
        return {"float": repr(value)}
    if kind is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    if kind is bytes:
        return {"bytes": base64.b64encode(value).decode()}
    if kind in (list, tuple, set, frozenset):
        return {kind.__name__: [encode(v, refs, depth + 1) for v in value]}
    if kind is dict:
        return {"dict": [[encode(k, refs, depth + 1), encode(v, refs, depth + 1)] for k, v in value.items()]}
    if kind is types.ModuleType and value.__name__ in SHARED_MODULES:
        return {"module": value.__name__}
    refs.append(value)
    return {"ref": len(refs) - 1}


def decode(data, make_ref, depth=0):
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if data is None or type(data) in (bool, str):
        return data
    if type(data) is not dict or len(data) != 1:
        raise ProtocolError("malformed value")
    (tag, body), = data.items()
    if tag == "int" and type(body) is str:
        return int(body)
    if tag == "float" and type(body) is str:
        return float(body)
    if tag == "complex" and type(body) is list and len(body) == 2:
        return complex(float(body[0]), float(body[1]))
    if tag == "bytes" and type(body) is str:
        return base64.b64decode(body)
    if tag in ("list", "tuple", "set", "frozenset") and type(body) is list:
        items = [decode(v, make_ref, depth + 1) for v in body]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict" and type(body) is list:
        return {
            decode(k, make_ref, depth + 1): decode(v, make_ref, depth + 1)
            for k, v in (pair for pair in body if type(pair) is list and len(pair) == 2)
        }
    if tag == "ref" and type(body) is int:
        return make_ref(body)
    if tag == "module" and body in SHARED_MODULES:
        return make_ref(None, module=body)
    if tag == "callback" and type(body) is int:
        return make_ref(None, callback=body)
    raise ProtocolError("malformed value")


# ---------------------------------------------------------------- the trusted side


class Remote:
    """The trusted side's view of the candidate's process."""

    def __init__(self, channel):
        self.channel = channel
        self.proxies = {}
        self.callbacks = []

    def ask(self, message):
        self.channel.send(message)
        reply = self.channel.receive()
        while "callback" in reply:
            # The candidate calls a function the tests passed it; it may call back in turn.
            self.channel.send(self.run_callback(reply))
            reply = self.channel.receive()
        if "raise" in reply:
            raise remote_exception(reply["raise"])
        if "ok" not in reply:
            raise ProtocolError("the candidate's process sent a malformed reply")
        return decode(reply["ok"], self.make_ref)

    def export(self, function):
        """A test function the candidate may call (and nothing else: no attributes)."""
        is_test_code = (
            isinstance(function, types.FunctionType)
            and function.__code__.co_filename == "<tests>"
        )
        is_pure_builtin = (
            isinstance(function, (types.BuiltinFunctionType, type))
            and getattr(builtins, getattr(function, "__name__", ""), None) is function
            and function.__name__ in PURE_BUILTINS
        )
        if not (is_test_code or is_pure_builtin):
            raise TypeError(
                "the tests can pass the candidate builtin values, its own objects, functions "
                "defined in the tests and simple builtins such as len, not %r" % type(function)
            )
        self.callbacks.append(function)
        return {"callback": len(self.callbacks) - 1}

    def run_callback(self, message):
        try:
            index = message["callback"]
            if type(index) is not int or not 0 <= index < len(self.callbacks):
                raise ProtocolError("the candidate called a function it was not given")
            args = [decode(a, self.make_ref) for a in message.get("args", [])]
            kwargs = {str(k): decode(v, self.make_ref) for k, v in message.get("kwargs", {}).items()}
            result = self.callbacks[index](*args, **kwargs)
            return {"ok": encode_arg(self, result)}
        except ProtocolError:
            raise
        except Exception as exc:
            return {"raise": {"type": type(exc).__name__, "message": str(exc)[:2000]}}

    def make_ref(self, ref, module=None, callback=None):
        if callback is not None:
            raise ProtocolError("the candidate sent a callback")
        if module is not None:
            try:
                return importlib.import_module(module)
            except Exception:
                raise ProtocolError("the candidate used a module the tests cannot import")
        if ref not in self.proxies:
            self.proxies[ref] = make_proxy(self, ref)
        return self.proxies[ref]


class Proxy:
    __slots__ = ("_remote", "_ref")


def make_proxy(remote, ref):
    proxy = object.__new__(Proxy)
    object.__setattr__(proxy, "_remote", remote)
    object.__setattr__(proxy, "_ref", ref)
    return proxy


def send_op(proxy, name, args=(), kwargs=None):
    remote = object.__getattribute__(proxy, "_remote")
    ref = object.__getattribute__(proxy, "_ref")
    return remote.ask(
        {
            "op": name,
            "ref": ref,
            "args": [encode_arg(remote, a) for a in args],
            "kwargs": {str(k): encode_arg(remote, v) for k, v in (kwargs or {}).items()},
        }
    )


def encode_arg(remote, value, depth=0):
    if isinstance(value, Proxy):
        return {"ref": object.__getattribute__(value, "_ref")}
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    kind = type(value)
    if kind in (list, tuple, set, frozenset):
        return {kind.__name__: [encode_arg(remote, v, depth + 1) for v in value]}
    if kind is dict:
        return {
            "dict": [
                [encode_arg(remote, k, depth + 1), encode_arg(remote, v, depth + 1)]
                for k, v in value.items()
            ]
        }
    if callable(value) and kind is not types.ModuleType:
        return remote.export(value)
    refs = []
    data = encode(value, refs)
    if refs:
        raise TypeError("the tests can pass only builtin values and the candidate's own objects")
    return data


def _forward(name):
    def method(self, *args):
        return send_op(self, name, args)

    method.__name__ = name
    return method


for _name in OPERATORS:
    setattr(Proxy, _name, _forward(_name))
Proxy.__iter__ = lambda self: iter(send_op(self, "__iter__"))
Proxy.__getattr__ = lambda self, name: send_op(self, "getattr", (name,))
Proxy.__call__ = lambda self, *args, **kwargs: send_op(self, "call", args, kwargs)


def remote_exception(info):
    name = str(info.get("type", "Exception")) if isinstance(info, dict) else "Exception"
    message = str(info.get("message", "")) if isinstance(info, dict) else ""
    kind = getattr(builtins, name, None)
    # SystemExit and friends would end the trusted process as if the tests had finished.
    if not (isinstance(kind, type) and issubclass(kind, Exception)):
        kind = type(name if name.isidentifier() else "CandidateError", (CandidateError,), {})
    try:
        return kind(message)
    except Exception:
        return CandidateError("%s: %s" % (name, message))


def run_tests(job_fd, ready_fd, from_fd, to_fd):
    protect_self()
    os.write(ready_fd, b"1")
    os.close(ready_fd)
    with os.fdopen(job_fd, "rb") as job_file:
        job = json.loads(job_file.read())
    remote = Remote(Channel(from_fd, to_fd))
    try:
        names = remote.ask({"op": "load", "code": str(job["candidate"])})
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        if type(names) is dict:
            namespace.update({k: v for k, v in names.items() if type(k) is str})
        exec(compile(str(job["tests"]), "<tests>", "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001 - any failure of the tests is a failed verdict
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        sys.stderr.write("tests failed:\n" + text[-TRACEBACK_CHARS:])
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# ---------------------------------------------------------------- the untrusted side


class Callback:
    """A function the tests passed; calling it asks the test process to run it."""

    def __init__(self, channel, refs, index):
        self.channel, self.refs, self.index = channel, refs, index

    def __call__(self, *args, **kwargs):
        self.channel.send(
            {
                "callback": self.index,
                "args": [encode(a, self.refs) for a in args],
                "kwargs": {str(k): encode(v, self.refs) for k, v in kwargs.items()},
            }
        )
        return serve_until_reply(self.channel, self.refs)


def serve_until_reply(channel, refs):
    """Answers the tests' requests until the reply to our callback comes."""
    while True:
        try:
            message = channel.receive()
        except ProtocolError:
            os._exit(0)
        if "op" in message:
            serve_one(channel, message, refs)
            continue
        if "raise" in message:
            raise remote_exception(message["raise"])
        return decode(message.get("ok"), lambda r, module=None, callback=None: resolve(channel, refs, r, module, callback))


CANDIDATE_NAMESPACE = {"__name__": "__main__", "__builtins__": builtins}


def serve_candidate(from_fd, to_fd):
    channel = Channel(from_fd, to_fd)
    refs = []
    while True:
        try:
            message = channel.receive()
        except ProtocolError:
            os._exit(0)
        serve_one(channel, message, refs)


def serve_one(channel, message, refs):
    try:
        result = answer(channel, message, CANDIDATE_NAMESPACE, refs)
        reply = {"ok": encode(result, refs)}
    except BaseException as exc:  # noqa: BLE001 - reported to the tests as an exception
        reply = {"raise": {"type": type(exc).__name__, "message": str(exc)[:2000]}}
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    channel.send(reply)


def answer(channel, message, namespace, refs):
    op = message.get("op")
    if op == "load":
        exec(compile(message["code"], "<candidate>", "exec"), namespace)
        return {k: v for k, v in namespace.items() if not k.startswith("__")}
    target = refs[message["ref"]]
    make = lambda r, module=None, callback=None: resolve(channel, refs, r, module, callback)  # noqa: E731
    args = [decode(a, make) for a in message["args"]]
    kwargs = {k: decode(v, make) for k, v in message["kwargs"].items()}
    if op == "call":
        return target(*args, **kwargs)
    if op == "getattr":
        return getattr(target, args[0])
    return OPERATORS[op](target, *args)


def resolve(channel, refs, ref, module, callback):
    if module is not None:
        return importlib.import_module(module)
    if callback is not None:
        return Callback(channel, refs, callback)
    return refs[ref]


def protect_self():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0 or libc.prctl(3, 0, 0, 0, 0) != 0:
        sys.stderr.write("assay verify: cannot make the test process undumpable\n")
        os._exit(2)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "tests":
        run_tests(*(int(a) for a in sys.argv[2:]))
    elif len(sys.argv) == 4 and sys.argv[1] == "candidate":
        serve_candidate(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit("usage: verify.py tests JOB READY FROM TO | candidate FROM TO")
