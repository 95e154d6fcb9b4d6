#!/usr/bin/env python3
"""bench-preload's report: medians, ranges, ratios and targets, as markdown
and JSON, from the runs bench/preload/run measured.

Usage: report.py OUT_DIR RUNS CPUS NAME=DESCRIPTION...
Reads OUT_DIR/runs.tsv and OUT_DIR/zslab-stats.txt; writes
OUT_DIR/bench-preload.md and OUT_DIR/bench-preload.json; prints the markdown.
"""
import json
import platform
import statistics
import sys
from pathlib import Path

ANCHORS = ["glibc", "mimalloc", "jemalloc", "tcmalloc"]
ALLOCATORS = ANCHORS + ["zslab"]
WALL_TARGET = 1.05  # zslab's wall time / the best anchor's, on every program
RSS_TARGET = 1.10   # zslab's peak RSS / glibc's, on every program
MIB = 1 << 20
FEW_ALLOCS = 10000  # below this, a program's wall time says nothing about the allocator


def read_runs(path):
    rows = {}
    lines = path.read_text().splitlines()[1:]
    for line in lines:
        prog, alloc, _run, wall, rss, user, system, status = line.split("\t")
        r = rows.setdefault(prog, {}).setdefault(alloc, {"wall": [], "rss": [], "cpu": [],
                                                          "failed": 0})
        if status != "0":
            r["failed"] += 1
            continue
        r["wall"].append(float(wall))
        r["rss"].append(int(rss))
        r["cpu"].append(float(user) + float(system))
    return rows


def read_stats(path):
    """Per program: counters summed over its processes, and the largest
    single-process peaks."""
    stats, prog, cur = {}, None, None
    for line in path.read_text().splitlines():
        if line.startswith("== "):
            prog = line[3:].strip()
            stats[prog] = {"processes": 0, "sum": {}, "max_peak": {}}
            continue
        if prog is None:
            continue
        s = stats[prog]
        if line.startswith("zslab-malloc: counters of pid"):
            s["processes"] += 1
            cur = {}
            continue
        if ": " not in line or line.startswith("class "):
            continue
        name, value = line.split(": ", 1)
        parts = value.replace("(peak ", "").replace(")", "").split()
        if not parts or not parts[0].isdigit():
            continue
        s["sum"][name] = s["sum"].get(name, 0) + int(parts[0])
        if len(parts) > 1:
            s["max_peak"][name] = max(s["max_peak"].get(name, 0), int(parts[1]))
        cur[name] = int(parts[0])
    return stats


def summary(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def fmt_wall(s):
    if not s:
        return "failed"
    return "%.2f s (%.2f-%.2f)" % (s["median"], s["min"], s["max"])


def fmt_cpu(s):
    if not s:
        return "failed"
    return "%.2f s (%.2f-%.2f)" % (s["median"], s["min"], s["max"])


def fmt_rss(s):
    if not s:
        return "failed"
    return "%.1f MiB (%.1f-%.1f)" % (s["median"] / 1024, s["min"] / 1024, s["max"] / 1024)


def share(part, whole):
    return "%.1f%%" % (100.0 * part / whole) if whole else "0%"


def explain_wall(c, cpu_ratio):
    if not c or not c["processes"]:
        return "no ZSLAB_STATS counters were recorded for this program"
    if c["sum"].get("alloc_calls", 0) < FEW_ALLOCS:
        return ("only %s allocations, too few for the allocator to explain the gap; its CPU time "
                "is %s the best anchor's, so the wall time is mostly the shared machine's noise"
                % (f"{c['sum'].get('alloc_calls', 0):,}",
                   "%.2fx" % cpu_ratio if cpu_ratio else "unknown against"))
    t, p = c["sum"], c["max_peak"]
    allocs, frees = t.get("alloc_calls", 0), t.get("free_calls", 0)
    slow, remote = t.get("slow_path_hits", 0), t.get("remote_frees", 0)
    large = t.get("large_allocs", 0)
    calls = t.get("platform_map_calls", 0) + t.get("platform_unmap_calls", 0)
    text = ("%s allocations and %s frees in %d process(es), up to %d thread heap(s) in one; "
            "%s of the allocations took the slow path (a refill under the class lock: "
            "slow_path_hits %s)"
            % (f"{allocs:,}", f"{frees:,}", c["processes"], p.get("thread_heaps", 1),
               share(slow, allocs), f"{slow:,}"))
    if remote:
        text += ("; %s of the frees were remote (remote_frees %s), each queued to the owning "
                 "heap and drained by it" % (share(remote, frees), f"{remote:,}"))
    if large:
        text += ("; %s large allocations (above 32 KiB; a freed one of up to 1 MiB keeps its "
                 "mapping for the next): %s platform calls, %.1f per 1,000 allocations"
                 % (f"{large:,}", f"{calls:,}", 1000.0 * calls / max(allocs, 1)))
    moved = t.get("shim_realloc_moved", 0)
    if moved:
        text += ("; realloc copied %s objects to a new class or mapping (kept %s in place)"
                 % (f"{moved:,}", f"{t.get('shim_realloc_in_place', 0):,}"))
    return text


def explain_rss(c):
    if not c or not c["processes"]:
        return "no ZSLAB_STATS counters were recorded for this program"
    t, p = c["sum"], c["max_peak"]
    return ("the largest process held %.1f MiB from the system at its peak (platform_bytes) in "
            "%d chunk(s); %d thread heap(s) each keep a partly used slab of every class they "
            "use (%s slabs made, new_slab_count), emptied slabs wait in the class caches "
            "(cache_pushes %s), and before exit %.1f MiB went back to the system "
            "(bytes_released) in %d returned chunk(s)"
            % (p.get("platform_bytes", 0) / MIB, p.get("chunks", 0), p.get("thread_heaps", 1),
               f"{t.get('new_slab_count', 0):,}", f"{t.get('cache_pushes', 0):,}",
               t.get("bytes_released", 0) / MIB, t.get("chunks_returned", 0)))


def main():
    out, runs, cpus = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    whats = dict(a.split("=", 1) for a in sys.argv[4:])
    rows = read_runs(out / "runs.tsv")
    stats = read_stats(out / "zslab-stats.txt")
    result = {"runs_per_allocator": runs, "cpus": cpus, "machine": platform.platform(),
              "wall_target": WALL_TARGET, "rss_target": RSS_TARGET, "programs": {}}
    wall_lines, rss_lines, cpu_lines, misses = [], [], [], []
    met_every, at_most_1, rss_met, counted = 0, 0, 0, 0
    for prog, what in whats.items():
        r = rows.get(prog, {})
        entry = {"what": what, "allocators": {}}
        for a in ALLOCATORS:
            x = r.get(a, {"wall": [], "rss": [], "cpu": [], "failed": runs})
            entry["allocators"][a] = {"wall_s": summary(x["wall"]),
                                      "peak_rss_kib": summary(x["rss"]),
                                      "cpu_s": summary(x["cpu"]),
                                      "failed_runs": x["failed"]}
        al = entry["allocators"]
        anchors = [(al[a]["wall_s"]["median"], a) for a in ANCHORS if al[a]["wall_s"]]
        z, g = al["zslab"], al["glibc"]
        wall_ratio = rss_ratio = None
        if anchors and z["wall_s"]:
            best_wall, best = min(anchors)
            wall_ratio = z["wall_s"]["median"] / best_wall
            entry.update(best_anchor=best, zslab_wall_ratio=round(wall_ratio, 3))
        if g["peak_rss_kib"] and z["peak_rss_kib"]:
            rss_ratio = z["peak_rss_kib"]["median"] / g["peak_rss_kib"]["median"]
            entry["zslab_rss_ratio_to_glibc"] = round(rss_ratio, 3)
        cpu_anchors = [(al[a]["cpu_s"]["median"], a) for a in ANCHORS if al[a]["cpu_s"]]
        cpu_ratio = None
        if cpu_anchors and z["cpu_s"] and min(cpu_anchors)[0] > 0:
            cpu_ratio = z["cpu_s"]["median"] / min(cpu_anchors)[0]
            entry.update(best_cpu_anchor=min(cpu_anchors)[1], zslab_cpu_ratio=round(cpu_ratio, 3))
        cpu_lines.append("| %s | %s | %s |" % (
            prog, " | ".join(fmt_cpu(al[a]["cpu_s"]) for a in ALLOCATORS),
            "%.2fx %s" % (cpu_ratio, min(cpu_anchors)[1]) if cpu_ratio else "-"))
        wall_ok = wall_ratio is not None and wall_ratio <= WALL_TARGET
        rss_ok = rss_ratio is not None and rss_ratio <= RSS_TARGET
        counted += 1
        met_every += wall_ok
        at_most_1 += wall_ratio is not None and wall_ratio <= 1.0
        rss_met += rss_ok
        entry["targets"] = {"wall_within_1.05": wall_ok, "wall_at_most_1.0":
                            wall_ratio is not None and wall_ratio <= 1.0, "rss_within_1.1": rss_ok}
        entry["zslab_counters"] = stats.get(prog)
        entry["explanation"] = {}
        if not wall_ok:
            entry["explanation"]["wall"] = explain_wall(stats.get(prog), cpu_ratio)
            misses.append("- **%s, wall time %s:** %s." % (
                prog, "%.2fx" % wall_ratio if wall_ratio else "failed", entry["explanation"]["wall"]))
        if not rss_ok:
            entry["explanation"]["rss"] = explain_rss(stats.get(prog))
            misses.append("- **%s, peak RSS %s of glibc's:** %s." % (
                prog, "%.2fx" % rss_ratio if rss_ratio else "failed", entry["explanation"]["rss"]))
        result["programs"][prog] = entry
        wall_lines.append("| %s | %s | %s | %s |" % (
            prog, " | ".join(fmt_wall(al[a]["wall_s"]) for a in ALLOCATORS),
            "%.2fx %s" % (wall_ratio, entry["best_anchor"]) if wall_ratio else "-",
            "met" if wall_ok else "missed"))
        rss_lines.append("| %s | %s | %s | %s |" % (
            prog, " | ".join(fmt_rss(al[a]["peak_rss_kib"]) for a in ALLOCATORS),
            "%.2fx" % rss_ratio if rss_ratio else "-", "met" if rss_ok else "missed"))

    half = (counted + 1) // 2
    targets = {
        "wall within 1.05x of the best anchor on every program": met_every == counted,
        "wall at most 1.0x of the best anchor on at least half": at_most_1 >= half,
        "peak RSS within 1.1x of glibc's on every program": rss_met == counted,
    }
    result["targets"] = targets
    md = ["# bench-preload: real programs on five allocators", "",
          "%d runs per program and allocator, interleaved; medians with min-max. %s CPUs, %s."
          % (runs, cpus, result["machine"]), "",
          "| program | what it runs |", "|---|---|"]
    md += ["| %s | %s |" % (p, w) for p, w in whats.items()]
    md += ["", "## Wall time", "",
           "| program | " + " | ".join(ALLOCATORS) + " | zslab / best anchor | <= 1.05x |",
           "|---" * (len(ALLOCATORS) + 3) + "|"] + wall_lines
    md += ["", "## CPU time (user + system, all processes; not a target)", "",
           "On a shared machine the wall time also counts waiting for a CPU that other jobs "
           "hold; CPU time counts only the program's own work.", "",
           "| program | " + " | ".join(ALLOCATORS) + " | zslab / best anchor |",
           "|---" * (len(ALLOCATORS) + 2) + "|"] + cpu_lines
    md += ["", "## Peak RSS (largest process)", "",
           "| program | " + " | ".join(ALLOCATORS) + " | zslab / glibc | <= 1.1x |",
           "|---" * (len(ALLOCATORS) + 3) + "|"] + rss_lines
    md += ["", "## Targets", ""]
    md += ["- %s: **%s** (%s)" % (name, "met" if ok else "missed", detail) for (name, ok), detail in
           zip(targets.items(), ["%d of %d programs" % (met_every, counted),
                                 "%d of %d programs, %d needed" % (at_most_1, counted, half),
                                 "%d of %d programs" % (rss_met, counted)])]
    if misses:
        md += ["", "## Why a target was missed (zslab's counters, ZSLAB_STATS=1)", ""] + misses
    text = "\n".join(md) + "\n"
    (out / "bench-preload.md").write_text(text)
    (out / "bench-preload.json").write_text(json.dumps(result, indent=2) + "\n")
    sys.stdout.write(text)
    print("\nbench-preload: results in %s/bench-preload.md and bench-preload.json" % out)


if __name__ == "__main__":
    main()
