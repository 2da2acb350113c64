"""Reads back the GGUF files gguf_writer.py writes: metadata and F32/F16 tensors.

Used to continue training from a committed model.gguf when its .pt checkpoint is gone.
"""

import struct

import numpy as np

from gguf_writer import ALIGNMENT, GGML_F16, GGML_F32

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
T_STRING, T_ARRAY = 8, 9


class _Cursor:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, fmt):
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return value

    def string(self):
        n = self.take("<Q")
        text = self.data[self.at : self.at + n].decode("utf-8")
        self.at += n
        return text

    def value(self, kind):
        if kind == T_STRING:
            return self.string()
        if kind == T_ARRAY:
            inner, n = self.take("<I"), self.take("<Q")
            return [self.value(inner) for _ in range(n)]
        if kind not in _SCALARS:
            raise ValueError(f"GGUF value type {kind} is not supported")
        return self.take(_SCALARS[kind])


def read_gguf(path):
    """Returns (metadata dict, {tensor name: numpy array in PyTorch's row-major shape})."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"GGUF":
        raise ValueError(f"{path}: not a GGUF file")
    c = _Cursor(data)
    c.at = 4
    version, n_tensors, n_kv = c.take("<I"), c.take("<Q"), c.take("<Q")
    if version != 3:
        raise ValueError(f"{path}: GGUF version {version}, expected 3")
    meta = {}
    for _ in range(n_kv):
        key = c.string()
        meta[key] = c.value(c.take("<I"))
    infos = []
    for _ in range(n_tensors):
        name = c.string()
        dims = [c.take("<Q") for _ in range(c.take("<I"))]
        kind, offset = c.take("<I"), c.take("<Q")
        infos.append((name, dims, kind, offset))
    alignment = meta.get("general.alignment", ALIGNMENT)
    base = (c.at + alignment - 1) // alignment * alignment
    tensors = {}
    for name, dims, kind, offset in infos:
        dtype = {GGML_F32: "<f4", GGML_F16: "<f2"}.get(kind)
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has type {kind}; only F32 and F16 are read")
        count = int(np.prod(dims))
        arr = np.frombuffer(data, dtype=dtype, count=count, offset=base + offset)
        tensors[name] = arr.astype(np.float32).reshape(list(reversed(dims)))
    return meta, tensors


def load_into(model, tensors):
    """Copies a GGUF's llama tensors into a TinyLlama of the same shape."""
    import torch

    names = {"embed.weight": "token_embd.weight", "norm.weight": "output_norm.weight", "out.weight": "output.weight"}
    parts = {
        "attn_norm": "attn_norm",
        "wq": "attn_q",
        "wk": "attn_k",
        "wv": "attn_v",
        "wo": "attn_output",
        "ffn_norm": "ffn_norm",
        "w_gate": "ffn_gate",
        "w_up": "ffn_up",
        "w_down": "ffn_down",
    }
    for i in range(model.c.n_layers):
        for ours, theirs in parts.items():
            names[f"blocks.{i}.{ours}.weight"] = f"blk.{i}.{theirs}.weight"
    state = {ours: torch.from_numpy(tensors[theirs].copy()) for ours, theirs in names.items()}
    model.load_state_dict(state)
