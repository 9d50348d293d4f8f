"""What the bench scripts share: timing helpers and the table they print."""
import statistics


def row(name, samples, unit, goal=None, baseline=None, digits=1):
    """One table row: median, min-max, ratio to a baseline's median, and the goal's verdict."""
    med = statistics.median(samples)
    ratio = f"{med / statistics.median(baseline):.{max(1, digits - 1)}f}x" if baseline else ""
    verdict = ""
    if goal is not None:
        verdict = f"< {goal} {unit} " + ("ok" if med < goal else "MISSED")
    return (name, f"{med:.{digits}f} {unit}", f"{min(samples):.{digits}f}-{max(samples):.{digits}f}",
            ratio, verdict)


def print_table(title, rows):
    """Prints the rows under a header; returns 1 when a goal was missed, else 0."""
    print(title)
    header = ("figure", "median", "min-max", "vs baseline", "goal")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(5)]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    return 1 if any("MISSED" in r[4] for r in rows) else 0
