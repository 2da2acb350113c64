"""A character-level SentencePiece-style vocabulary with byte fallback.

llama.cpp's `llama` tokenizer (SPM) merges adjacent symbols only when their concatenation is a
token; this vocabulary has no multi-character normal tokens, so every character is one token, a
character outside the vocabulary becomes its UTF-8 bytes (`<0xNN>` tokens), and spaces are the
SentencePiece meta symbol U+2581. This file tokenizes exactly the way llama.cpp does for it.
"""

import re

SPACE = "\u2581"
UNK, BOS, EOS, IM_START, IM_END = "<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"
SPECIALS = [UNK, BOS, EOS, IM_START, IM_END]

# llama.cpp token types.
TYPE_NORMAL, TYPE_UNKNOWN, TYPE_CONTROL, TYPE_BYTE = 1, 2, 3, 6

_SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")


class CharTokenizer:
    def __init__(self, chars):
        self.tokens = list(SPECIALS)
        self.types = [TYPE_UNKNOWN] + [TYPE_CONTROL] * (len(SPECIALS) - 1)
        for b in range(256):
            self.tokens.append(f"<0x{b:02X}>")
            self.types.append(TYPE_BYTE)
        for ch in chars:
            self.tokens.append(SPACE if ch == " " else ch)
            self.types.append(TYPE_NORMAL)
        # Scores only order merges; with single characters no merge ever applies.
        self.scores = [0.0] * len(self.tokens)
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.byte_base = len(SPECIALS)

    @property
    def bos_id(self):
        return self.ids[BOS]

    @property
    def eos_id(self):
        return self.ids[IM_END]

    def encode_plain(self, text):
        out = []
        for ch in text.replace(" ", SPACE):
            tid = self.ids.get(ch)
            if tid is not None and self.types[tid] == TYPE_NORMAL:
                out.append(tid)
            else:
                out.extend(self.byte_base + b for b in ch.encode("utf-8"))
        return out

    def encode(self, text):
        """Tokenizes text with the control tokens written literally in it parsed as such."""
        out = []
        for part in _SPECIAL_RE.split(text):
            if part == "":
                continue
            if part in SPECIALS:
                out.append(self.ids[part])
            else:
                out.extend(self.encode_plain(part))
        return out

    def decode(self, ids):
        data = bytearray()
        for tid in ids:
            tok, typ = self.tokens[tid], self.types[tid]
            if typ == TYPE_BYTE:
                data.append(tid - self.byte_base)
            elif typ == TYPE_NORMAL:
                data.extend(tok.replace(SPACE, " ").encode("utf-8"))
            else:
                data.extend(tok.encode("utf-8"))
        return data.decode("utf-8", errors="replace")


def default_chars(extra=""):
    """Printable ASCII, newline and tab, plus any extra characters seen in the training text."""
    base = [chr(c) for c in range(0x20, 0x7F)] + ["\n", "\t"]
    seen = set(base)
    for ch in extra:
        if ch not in seen:
            seen.add(ch)
            base.append(ch)
    return base
