"""An initialization that gives the model a previous-token attention head from the start.

Copying a span (the expression from the question, the result from the tool response) needs an
induction circuit: one head that writes "the token before me" into each position, and a later
head that looks for the position whose previous token is the current token. Gradient descent
finds the first head slowly; on two shared CPU cores it had not found it after 650 steps. This
sets it up by hand in block 0, head 0, and leaves everything else to training:

- embedding dimension 0 is a constant, so attention can depend on position alone;
- head 0's query and key read that constant on the highest-frequency rotary pairs, with the key
  phase-shifted by one position, so each position attends to the one before it;
- its value reads the token-identity dimensions and its output writes them into the reserved
  dimensions 1..K of the residual stream, where later heads can match on them.
"""

import torch


@torch.no_grad()
def scaffold_previous_token_head(model, k=16, const=1.0, gain=3.0, pairs=4, seed=0):
    c = model.c
    hd = c.dim // c.n_heads
    gen = torch.Generator().manual_seed(seed)
    emb = model.embed.weight
    # Identity in dims k+1.., a constant in dim 0, nothing yet in the reserved dims.
    emb.normal_(0.0, 1.0, generator=gen)
    emb[:, 0] = const * (c.dim - k - 1) ** 0.5
    emb[:, 1 : k + 1] = 0.0
    block = model.blocks[0]
    wq, wk, wv, wo = block.wq.weight, block.wk.weight, block.wv.weight, block.wo.weight
    wq[:hd].zero_()
    wk[:hd].zero_()
    wv[:hd].zero_()
    wo[:, :hd].zero_()
    inv = 1.0 / (c.rope_base ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    # After RMSNorm dim 0 is about sqrt(dim/2); the scale makes the offset-1 score win clearly.
    x0 = (c.dim / 2) ** 0.5
    a = (20.0 * hd**0.5 / (pairs * 0.5 * x0 * x0)) ** 0.5
    for i in range(pairs):
        theta = float(inv[i])
        wq[2 * i, 0] = a
        wk[2 * i, 0] = a * torch.cos(torch.tensor(theta))
        wk[2 * i + 1, 0] = a * torch.sin(torch.tensor(theta))
    # Value: the first identity dims of the previous token; output: into reserved dims 1..k.
    for j in range(min(k, hd)):
        wv[j, k + 1 + j] = 1.0
        wo[1 + j, j] = gain


@torch.no_grad()
def scaffold_induction_head(model, k=16, match=8, scale=2.0):
    """Block 1, head 0 attends to positions whose previous token is the current token.

    The query reads the current token's identity and the key the previous-token dimensions that
    block 0 writes, both on the lowest-frequency rotary pairs, where rotation over a few hundred
    positions is small enough not to disturb the match. What the head reads out is left to
    training.
    """
    c = model.c
    hd = c.dim // c.n_heads
    block = model.blocks[1]
    wq, wk = block.wq.weight, block.wk.weight
    base = hd - match
    wq[base:hd].zero_()
    wk[base:hd].zero_()
    for j in range(match):
        wq[base + j, k + 1 + j] = scale
        wk[base + j, 1 + j] = scale
