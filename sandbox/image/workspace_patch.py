"""Codex's apply_patch format (`*** Begin Patch` ... `*** End Patch`), applied all-or-nothing.

Every file operation is computed in memory first; only when every hunk has matched are files
written, so a hunk that fails changes nothing (Codex itself leaves earlier files changed).
Matching tries four passes like Codex's seek_sequence: exact, trailing whitespace ignored,
surrounding whitespace ignored, then common Unicode punctuation folded to ASCII.
"""

import os

BEGIN = "*** Begin Patch"
END = "*** End Patch"
ADD = "*** Add File: "
DELETE = "*** Delete File: "
UPDATE = "*** Update File: "
MOVE = "*** Move to: "
EOF_MARK = "*** End of File"

PUNCTUATION = str.maketrans(
    {
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"',
        "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00a0": " ", "\u2002": " ", "\u2003": " ",
        "\u2009": " ", "\u202f": " ",
    }
)


class PatchError(Exception):
    pass


def strip_wrapping(lines):
    """Lenient parsing as in Codex: a heredoc around the patch (`<<'EOF'` ... `EOF`) is dropped."""
    while lines and lines[0].strip() == "":
        lines = lines[1:]
    while lines and lines[-1].strip() == "":
        lines = lines[:-1]
    if len(lines) >= 2 and "<<" in lines[0] and lines[0].strip() != BEGIN and lines[-1].strip() in ("EOF", "'EOF'", '"EOF"'):
        lines = lines[1:-1]
    return lines


def parse(text):
    lines = strip_wrapping(text.replace("\r\n", "\n").split("\n"))
    if not lines or lines[0].strip() != BEGIN:
        raise PatchError("invalid patch: the first line must be '%s'" % BEGIN)
    if lines[-1].strip() != END:
        raise PatchError("invalid patch: the last line must be '%s'" % END)
    ops, i, body = [], 1, lines[1:-1]
    i = 0
    while i < len(body):
        line = body[i]
        number = i + 2
        if line.startswith(ADD):
            path, content = line[len(ADD) :].strip(), []
            i += 1
            while i < len(body) and body[i].startswith("+"):
                content.append(body[i][1:])
                i += 1
            ops.append({"op": "add", "path": path, "content": "\n".join(content) + "\n" if content else ""})
        elif line.startswith(DELETE):
            ops.append({"op": "delete", "path": line[len(DELETE) :].strip()})
            i += 1
        elif line.startswith(UPDATE):
            op = {"op": "update", "path": line[len(UPDATE) :].strip(), "move": None, "hunks": []}
            i += 1
            if i < len(body) and body[i].startswith(MOVE):
                op["move"] = body[i][len(MOVE) :].strip()
                i += 1
            hunk = None
            while i < len(body) and not body[i].startswith("*** ") or (i < len(body) and body[i].strip() == EOF_MARK):
                row = body[i]
                if row.strip() == EOF_MARK:
                    if hunk is None:
                        raise PatchError("invalid patch line %d: '%s' before any hunk" % (i + 2, EOF_MARK))
                    hunk["eof"] = True
                elif row.startswith("@@"):
                    hunk = {"anchor": row[2:].strip() or None, "old": [], "new": [], "rows": [], "eof": False}
                    op["hunks"].append(hunk)
                elif row[:1] in (" ", "-", "+") or row == "":
                    if hunk is None:
                        hunk = {"anchor": None, "old": [], "new": [], "rows": [], "eof": False}
                        op["hunks"].append(hunk)
                    mark, rest = (row[:1], row[1:]) if row else (" ", "")
                    hunk["rows"].append((mark, rest))
                    if mark != "+":
                        hunk["old"].append(rest)
                    if mark != "-":
                        hunk["new"].append(rest)
                else:
                    raise PatchError(
                        "invalid patch line %d: %r; hunk lines start with ' ', '-' or '+'" % (i + 2, row)
                    )
                i += 1
            if not op["hunks"]:
                raise PatchError("invalid patch line %d: Update File %s has no hunks" % (number, op["path"]))
            ops.append(op)
        elif line.strip() == "":
            i += 1
        else:
            raise PatchError(
                "invalid patch line %d: %r is not '%s', '%s' or '%s'" % (number, line, ADD.strip(), DELETE.strip(), UPDATE.strip())
            )
    if not ops:
        raise PatchError("invalid patch: it contains no file operations")
    return ops


def seek(lines, pattern, start, eof):
    """The index where `pattern` occurs at or after `start`, trying four ever looser passes."""
    if not pattern:
        return len(lines)
    passes = (
        lambda s: s,
        lambda s: s.rstrip(),
        lambda s: s.strip(),
        lambda s: s.strip().translate(PUNCTUATION),
    )
    last = len(lines) - len(pattern)
    for norm in passes:
        want = [norm(p) for p in pattern]
        candidates = ([last] if eof and last >= start else []) + list(range(start, last + 1))
        for at in candidates:
            if all(norm(lines[at + k]) == want[k] for k in range(len(pattern))):
                return at
    return -1


def apply_update(path, text, hunks):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    replacements, cursor = [], 0
    for number, hunk in enumerate(hunks, 1):
        if hunk["anchor"]:
            at = seek(lines, [hunk["anchor"]], cursor, False)
            if at < 0:
                raise PatchError("%s: hunk %d: the context line '@@ %s' was not found" % (path, number, hunk["anchor"]))
            cursor = at + 1
        rows = hunk["rows"]
        old = hunk["old"]
        at = seek(lines, old, cursor, hunk["eof"])
        if at < 0 and rows and rows[-1] == (" ", ""):
            # A blank last context line often stands for the end of the file.
            rows = rows[:-1]
            old = old[:-1]
            at = seek(lines, old, cursor, hunk["eof"])
        if at < 0:
            shown = "\n".join(hunk["old"][:8])
            raise PatchError(
                "%s: hunk %d did not apply: these lines were not found in order:\n%s" % (path, number, shown)
            )
        # Context lines keep the file's own text: a loose match never rewrites them.
        new, k = [], at
        for mark, rest in rows:
            if mark == " ":
                new.append(lines[k])
                k += 1
            elif mark == "-":
                k += 1
            else:
                new.append(rest)
        replacements.append((at, len(old), new))
        cursor = at + len(old)
    for at, length, new in sorted(replacements, reverse=True):
        lines[at : at + length] = new
    return "\n".join(lines) + "\n"


def apply_patch_text(text, resolve):
    """Applies a patch; `resolve` maps a patch path to a real path inside the workspace or raises."""
    ops = parse(text)
    writes, deletes, summary = {}, [], []
    for op in ops:
        if os.path.isabs(op["path"]):
            raise PatchError("%s: patch paths must be relative to the workspace" % op["path"])
        real = resolve(op["path"])
        if op["op"] == "add":
            writes[real] = op["content"]
            summary.append("A " + op["path"])
        elif op["op"] == "delete":
            if not os.path.isfile(real):
                raise PatchError("Delete File %s: the file does not exist" % op["path"])
            deletes.append(real)
            summary.append("D " + op["path"])
        else:
            source = writes.get(real)
            if source is None:
                if not os.path.isfile(real):
                    raise PatchError("Update File %s: the file does not exist" % op["path"])
                with open(real, encoding="utf-8") as f:
                    source = f.read()
            updated = apply_update(op["path"], source, op["hunks"])
            if op["move"]:
                target = resolve(op["move"])
                writes[target] = updated
                deletes.append(real)
                summary.append("M %s -> %s" % (op["path"], op["move"]))
            else:
                writes[real] = updated
                summary.append("M " + op["path"])
    saved = {}
    try:
        for real in list(writes) + deletes:
            if os.path.isfile(real):
                with open(real, "rb") as f:
                    saved[real] = f.read()
        for real in deletes:
            if real not in writes:
                os.unlink(real)
        for real, content in writes.items():
            os.makedirs(os.path.dirname(real), exist_ok=True)
            with open(real, "w", encoding="utf-8") as f:
                f.write(content)
    except OSError as error:
        for real in writes:
            if real not in saved and os.path.exists(real):
                os.unlink(real)
        for real, data in saved.items():
            with open(real, "wb") as f:
                f.write(data)
        raise PatchError("the patch could not be written (%s); nothing was changed" % error)
    return "Done! The patch changed:\n" + "\n".join(summary)
