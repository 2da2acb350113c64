"""A minimal GGUF v3 writer: metadata key/values and F32/F16 tensors, 32-byte aligned.

Layout (little-endian): magic "GGUF", version, tensor count, key/value count, the key/values,
the tensor infos (name, dims innermost first, type, offset into the data), padding, the data.
"""

import struct

import numpy as np

ALIGNMENT = 32

# GGUF metadata value types.
T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY, T_UINT64, T_INT64, T_FLOAT64 = range(13)

# ggml tensor types.
GGML_F32, GGML_F16 = 0, 1


def _string(s):
    data = s.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _scalar(value):
    if isinstance(value, bool):
        return struct.pack("<I", T_BOOL) + struct.pack("<?", value)
    if isinstance(value, int):
        return struct.pack("<I", T_UINT32) + struct.pack("<I", value)
    if isinstance(value, float):
        return struct.pack("<I", T_FLOAT32) + struct.pack("<f", value)
    if isinstance(value, str):
        return struct.pack("<I", T_STRING) + _string(value)
    raise TypeError(f"unsupported metadata value {value!r}")


def _array(values, kind):
    head = struct.pack("<I", T_ARRAY)
    if kind == "string":
        return head + struct.pack("<IQ", T_STRING, len(values)) + b"".join(_string(v) for v in values)
    if kind == "float32":
        return head + struct.pack("<IQ", T_FLOAT32, len(values)) + np.asarray(values, dtype="<f4").tobytes()
    if kind == "int32":
        return head + struct.pack("<IQ", T_INT32, len(values)) + np.asarray(values, dtype="<i4").tobytes()
    raise TypeError(kind)


class GGUFWriter:
    def __init__(self):
        self.kv = []
        self.tensors = []

    def add(self, key, value, array_kind=None):
        encoded = _array(value, array_kind) if array_kind else _scalar(value)
        self.kv.append(_string(key) + encoded)

    def add_tensor(self, name, array, f16=False):
        """Adds a tensor given in row-major (PyTorch) shape; GGUF stores dims innermost first."""
        arr = np.ascontiguousarray(array, dtype=np.float16 if f16 else np.float32)
        self.tensors.append((name, arr, GGML_F16 if f16 else GGML_F32))

    def write(self, path):
        header = b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.kv))
        infos = []
        offset = 0
        for name, arr, ggml_type in self.tensors:
            dims = list(reversed(arr.shape))
            info = _string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
            infos.append(info + struct.pack("<IQ", ggml_type, offset))
            offset += _pad(arr.nbytes)
        with open(path, "wb") as f:
            f.write(header)
            for item in self.kv:
                f.write(item)
            for info in infos:
                f.write(info)
            f.write(b"\0" * (_pad(f.tell()) - f.tell()))
            for _, arr, _ in self.tensors:
                data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
                f.write(data + b"\0" * (_pad(len(data)) - len(data)))


def _pad(n):
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def write_llama_gguf(path, model, tokenizer, chat_template, name, f16=False):
    """Writes a TinyLlama and its tokenizer as a GGUF file llama.cpp loads as `llama`."""
    c = model.c
    w = GGUFWriter()
    w.add("general.architecture", "llama")
    w.add("general.name", name)
    w.add("general.alignment", ALIGNMENT)
    w.add("llama.context_length", c.ctx)
    w.add("llama.embedding_length", c.dim)
    w.add("llama.block_count", c.n_layers)
    w.add("llama.feed_forward_length", c.ffn_dim)
    w.add("llama.attention.head_count", c.n_heads)
    w.add("llama.attention.head_count_kv", c.n_heads)
    w.add("llama.rope.dimension_count", c.dim // c.n_heads)
    w.add("llama.rope.freq_base", float(c.rope_base))
    w.add("llama.attention.layer_norm_rms_epsilon", float(c.eps))
    w.add("llama.vocab_size", len(tokenizer.tokens))
    w.add("tokenizer.ggml.model", "llama")
    w.add("tokenizer.ggml.tokens", tokenizer.tokens, "string")
    w.add("tokenizer.ggml.scores", tokenizer.scores, "float32")
    w.add("tokenizer.ggml.token_type", tokenizer.types, "int32")
    w.add("tokenizer.ggml.bos_token_id", tokenizer.bos_id)
    w.add("tokenizer.ggml.eos_token_id", tokenizer.eos_id)
    w.add("tokenizer.ggml.eot_token_id", tokenizer.eos_id)
    w.add("tokenizer.ggml.unknown_token_id", tokenizer.ids["<unk>"])
    w.add("tokenizer.ggml.padding_token_id", tokenizer.ids["</s>"])
    w.add("tokenizer.ggml.add_bos_token", True)
    w.add("tokenizer.ggml.add_eos_token", False)
    w.add("tokenizer.ggml.add_space_prefix", False)
    w.add("tokenizer.chat_template", chat_template)

    sd = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    w.add_tensor("token_embd.weight", sd["embed.weight"], f16)
    for i in range(c.n_layers):
        p = f"blocks.{i}."
        w.add_tensor(f"blk.{i}.attn_norm.weight", sd[p + "attn_norm.weight"])
        w.add_tensor(f"blk.{i}.attn_q.weight", sd[p + "wq.weight"], f16)
        w.add_tensor(f"blk.{i}.attn_k.weight", sd[p + "wk.weight"], f16)
        w.add_tensor(f"blk.{i}.attn_v.weight", sd[p + "wv.weight"], f16)
        w.add_tensor(f"blk.{i}.attn_output.weight", sd[p + "wo.weight"], f16)
        w.add_tensor(f"blk.{i}.ffn_norm.weight", sd[p + "ffn_norm.weight"])
        w.add_tensor(f"blk.{i}.ffn_gate.weight", sd[p + "w_gate.weight"], f16)
        w.add_tensor(f"blk.{i}.ffn_up.weight", sd[p + "w_up.weight"], f16)
        w.add_tensor(f"blk.{i}.ffn_down.weight", sd[p + "w_down.weight"], f16)
    w.add_tensor("output_norm.weight", sd["norm.weight"])
    w.add_tensor("output.weight", sd["out.weight"], f16)
    w.write(path)
