"""Trains the tiny tool-using model on CPU and writes it as GGUF. Seeded; bounded by --steps.

  /usr/bin/python3 examples/tiny-model/train.py --data data.jsonl --out src/model/llama-cpp/tiny-model/model.gguf

Needs Debian's python3-torch (1.13) and numpy, nothing else.
"""

import argparse
import json
import math
import os
import random
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gguf_reader import load_into, read_gguf  # noqa: E402
from gguf_writer import write_llama_gguf  # noqa: E402
from model import Config, TinyLlama  # noqa: E402
from scaffold import scaffold_induction_head, scaffold_previous_token_head  # noqa: E402
from tokenizer import CharTokenizer, default_chars  # noqa: E402


def load(path, tok):
    """Tokens and loss mask of every dialogue, each starting with BOS."""
    dialogues = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids, mask = [tok.bos_id], [0]
            for text, trained in d["pieces"]:
                t = tok.encode(text)
                ids.extend(t)
                mask.extend([trained] * len(t))
            dialogues.append((ids, mask))
    return dialogues


def corpus_chars(path):
    chars = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            for text, _ in json.loads(line)["pieces"]:
                chars.update(text)
    corpus = os.path.join(HERE, "..", "..", "tools", "web-search", "corpus")
    for root, _, files in os.walk(corpus):
        for name in files:
            with open(os.path.join(root, name), encoding="utf-8", errors="ignore") as f:
                chars.update(f.read())
    return "".join(sorted(c for c in chars if ord(c) >= 0x80))


def batches(dialogues, seq, batch, rng):
    """Windows of `seq + 1` tokens from the packed stream, each starting at a dialogue's start."""
    stream, mask, starts = [], [], []
    for ids, m in dialogues:
        starts.append(len(stream))
        stream.extend(ids)
        mask.extend(m)
    stream_t = torch.tensor(stream, dtype=torch.long)
    mask_t = torch.tensor(mask, dtype=torch.float32)
    starts = [s for s in starts if s + seq + 1 <= len(stream)]
    while True:
        picks = [rng.choice(starts) for _ in range(batch)]
        x = torch.stack([stream_t[s : s + seq] for s in picks])
        y = torch.stack([stream_t[s + 1 : s + seq + 1] for s in picks])
        m = torch.stack([mask_t[s + 1 : s + seq + 1] for s in picks])
        yield x, y, m


@torch.no_grad()
def greedy(model, tok, prompt, max_new=220):
    ids = [tok.bos_id] + tok.encode(prompt)
    out = []
    for _ in range(max_new):
        logits = model(torch.tensor([ids[-model.c.ctx :]]))[0, -1]
        nxt = int(logits.argmax())
        if nxt == tok.eos_id:
            break
        ids.append(nxt)
        out.append(nxt)
    return tok.decode(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--max-minutes", type=float, default=30.0)
    ap.add_argument("--seq", type=int, default=448)
    ap.add_argument("--batch", type=int, default=5)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=344)
    # One thread: on a shared, oversubscribed machine two threads ran eight times slower.
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--template", default=os.path.join(HERE, "chat_template.jinja"))
    ap.add_argument("--scaffold", action="store_true", help="start with a previous-token head (scaffold.py)")
    ap.add_argument("--resume", help="start from the weights of a saved .pt checkpoint")
    ap.add_argument("--init-gguf", help="start from the weights and vocabulary of a GGUF this folder wrote")
    ap.add_argument("--export-from", help="write the GGUF from a saved .pt checkpoint instead of training")
    args = ap.parse_args()
    if args.export_from:
        export(args.export_from, args.out, args.template)
        return

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)

    init = None
    if args.init_gguf:
        meta, tensors = read_gguf(args.init_gguf)
        init = tensors
        tok = tokenizer_from_gguf(meta)
        args.dim = meta["llama.embedding_length"]
        args.layers = meta["llama.block_count"]
        args.heads = meta["llama.attention.head_count"]
        args.ffn = meta["llama.feed_forward_length"]
    else:
        tok = CharTokenizer(default_chars(corpus_chars(args.data)))
    dialogues = load(args.data, tok)
    trained = sum(sum(m) for _, m in dialogues)
    total = sum(len(i) for i, _ in dialogues)
    print(f"{len(dialogues)} dialogues, {total} tokens, {trained} trained, vocab {len(tok.tokens)}", flush=True)

    cfg = Config(len(tok.tokens), dim=args.dim, n_layers=args.layers, n_heads=args.heads, ffn_dim=args.ffn, ctx=2048)
    model = TinyLlama(cfg)
    if args.scaffold:
        scaffold_previous_token_head(model, seed=args.seed)
        scaffold_induction_head(model)
    if init is not None:
        load_into(model, init)
    if args.resume:
        saved = torch.load(args.resume)
        if saved["chars"] != tok.tokens:
            raise SystemExit("--resume: the checkpoint's vocabulary differs from this data's")
        model.load_state_dict(saved["state"])
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params} parameters", flush=True)

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.98),
    )
    warmup = max(1, args.steps // 20)

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, args.steps - warmup)
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))

    with open(args.template, encoding="utf-8") as f:
        template = f.read()
    head = "<|im_start|>system\n# Tools: calculator, python, javascript, web_search, web_fetch<|im_end|>\n<|im_start|>user\n"
    probes = [
        head + q + "<|im_end|>\n<|im_start|>assistant\n"
        for q in (
            "What is 48213 * 99172?",
            "How many prime numbers are there below 2500? Answer with a number only.",
            "Who founded the city of Brekkavik? Answer with the name only.",
        )
    ]
    data = batches(dialogues, args.seq, args.batch, rng)
    t0 = time.time()
    step = 0
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y, m = next(data)
        logits = model(x)
        loss_all = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none")
        loss = (loss_all * m.reshape(-1)).sum() / m.sum().clamp(min=1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        elapsed = time.time() - t0
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.4f} lr {lr_at(step):.5f} {elapsed:.0f}s", flush=True)
        if step % 200 == 199:
            for probe in probes:
                print("  probe:", repr(greedy(model, tok, probe)), flush=True)
            write_llama_gguf(args.out + ".partial", model, tok, template, "assay-tiny")
        if elapsed > args.max_minutes * 60:
            print(f"stopping at step {step}: time budget of {args.max_minutes} minutes reached", flush=True)
            break

    elapsed = time.time() - t0
    print(f"trained {step + 1} steps in {elapsed:.0f}s", flush=True)
    for probe in probes:
        print("  probe:", repr(greedy(model, tok, probe)), flush=True)
    torch.save({"config": cfg.as_dict(), "state": model.state_dict(), "chars": tok.tokens}, args.out + ".pt")
    write_llama_gguf(args.out, model, tok, template, "assay-tiny")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)", flush=True)


def tokenizer_from_gguf(meta):
    """The vocabulary a GGUF carries; characters outside it fall back to bytes, as in llama.cpp."""
    tok = CharTokenizer([])
    tok.tokens = list(meta["tokenizer.ggml.tokens"])
    tok.types = list(meta["tokenizer.ggml.token_type"])
    tok.scores = [0.0] * len(tok.tokens)
    tok.ids = {t: i for i, t in enumerate(tok.tokens)}
    return tok


def export(checkpoint, out, template_path):
    """Rewrites the GGUF from a checkpoint, with the current chat template."""
    saved = torch.load(checkpoint)
    tok = CharTokenizer([])
    tok.tokens = saved["chars"]
    tok.ids = {t: i for i, t in enumerate(tok.tokens)}
    tok.types = [tok.types[i] if i < len(tok.types) else 1 for i in range(len(tok.tokens))]
    tok.scores = [0.0] * len(tok.tokens)
    cfg = Config(**saved["config"])
    model = TinyLlama(cfg)
    model.load_state_dict(saved["state"])
    with open(template_path, encoding="utf-8") as f:
        template = f.read()
    write_llama_gguf(out, model, tok, template, "assay-tiny")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)", flush=True)


if __name__ == "__main__":
    main()
