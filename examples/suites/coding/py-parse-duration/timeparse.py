def seconds(text):
    """"1h30m" -> 5400, "45s" -> 45, "2m5s" -> 125."""
    units = {"h": 3600, "m": 60, "s": 1}
    total, number = 0, ""
    for ch in text:
        if ch.isdigit():
            number += ch
        else:
            total += int(number) * units[ch]
    return total
