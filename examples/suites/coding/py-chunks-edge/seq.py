def chunks(xs, size):
    """Split xs into lists of `size` items; the last one may be shorter."""
    return [xs[i : i + size] for i in range(0, len(xs) - size + 1, size)]
