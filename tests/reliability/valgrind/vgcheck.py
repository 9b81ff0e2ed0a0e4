#!/usr/bin/env python3
"""vgcheck.py CAPI_DIR XML... — judges valgrind memcheck XML reports of
programs using libxdpkit.so (run-valgrind.sh).

go.supp has already suppressed what the Go runtime and Go code do that
memcheck misreads. Each remaining report is judged by the frame it was made
in: the first frame outside libc, the dynamic loader and valgrind's own
preload (for leaks: the first such frame of the allocation stack):

  C layer    a function defined in CAPI_DIR/*.c (xdpkit_*, the registry,
             pool, batch, ring code): always a failure;
  Go         Go code or cgo glue in libxdpkit.so that go.supp did not
             cover: counted, not a failure;
  test code  the test program: a failure, except reads of uninitialised
             memory that the kernel filled through a bpf(2) command
             memcheck does not model (it prints "unhandled eBPF command
             N"): counted, not a failure;
  another library  libbpf, libxdp (rel_embed): counted, not a failure
             (libbpf 1.1 passes partly initialised bpf_attr unions);
  leaks      definitely/indirectly lost from the C layer or test code: a
             failure; possibly lost: counted.

Prints a summary (and every failure with its stack); exits 1 on failures.
"""

import collections
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

SYSTEM_OBJ = re.compile(r"/(libc\.so|ld-linux|vgpreload_|libpthread|libdl|libm\.so|libstdc\+\+)")
GO_NAME = re.compile(r"^(runtime|main|sync|syscall|bufio|bytes|strings|strconv|fmt|errors|os|io|reflect|sort|slices|"
                     r"maps|time|net|unicode|math|context|path|iter|weak|unique|hash)\.|/|^type:|^go:|"
                     r"^(gcWriteBarrier|indexbody|indexbytebody|memeqbody|cmpbody|countbody|aeshashbody|setg_gcc|crosscall2|_cgo_|_cgoexp_|x_cgo_)")


def capi_functions(capi_dir):
    """Names of the functions defined in capi/*.c (definitions start in
    column 0 and their body's brace is on the next line)."""
    names = set()
    for path in glob.glob(os.path.join(capi_dir, "*.c")):
        lines = open(path, encoding="utf-8").read().split("\n")
        for i, line in enumerate(lines[:-1]):
            m = re.match(r"^(?:static\s+)?(?:[\w\s\*]+?)\b(\w+)\(", line)
            if m and not line.endswith(";") and (lines[i + 1].startswith("{") or line.rstrip().endswith("{")):
                names.add(m.group(1))
            elif m and not line.rstrip().endswith(";"):
                # Parameters continued on the next lines.
                j = i + 1
                while j < len(lines) and not lines[j].startswith("{") and not lines[j].rstrip().endswith(";"):
                    j += 1
                if j < len(lines) and lines[j].startswith("{"):
                    names.add(m.group(1))
    return names


def frames(stack):
    out = []
    if stack is None:
        return out
    for f in stack.findall("frame"):
        out.append({
            "fn": (f.findtext("fn") or "").strip(),
            "obj": (f.findtext("obj") or "").strip(),
            "file": (f.findtext("file") or "").strip(),
            "line": (f.findtext("line") or "").strip(),
        })
    return out


def where(fs, capi, exe):
    """(class, frame) of the first frame outside the system libraries."""
    for f in fs:
        if SYSTEM_OBJ.search(f["obj"]) or f["fn"] in ("malloc", "calloc", "realloc", "free", "memcpy", "memmove"):
            continue
        base = f["fn"].split(".")[0] if not GO_NAME.search(f["fn"]) else f["fn"]
        if "libxdpkit.so" in f["obj"]:
            if base in capi or base.startswith("xdpkit_"):  # also the header's inline helpers
                return "C layer", f
            return "Go", f
        if base in capi:  # capi C compiled into a test (fuzz_batch)
            return "C layer", f
        if f["obj"] and os.path.realpath(f["obj"]) != os.path.realpath(exe):
            return "another library", f  # libbpf, libxdp (rel_embed)
        return "test code", f
    return "unknown", fs[0] if fs else {"fn": "?", "obj": "?", "file": "", "line": ""}


def fmt_stack(fs, n=12):
    return "\n".join(f"      {f['fn'] or '?'} ({os.path.basename(f['obj'])}"
                     f"{(' ' + f['file'] + ':' + f['line']) if f['file'] else ''})" for f in fs[:n])


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    capi = capi_functions(sys.argv[1])
    if len(capi) < 40:
        print(f"vgcheck: found only {len(capi)} functions in {sys.argv[1]}/*.c", file=sys.stderr)
        return 2
    counts = collections.Counter()
    failures = []
    supp = collections.Counter()
    programs = 0
    unhandled = set()
    for path in sys.argv[2:]:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            failures.append(f"{path}: unreadable XML ({e}): the program died under valgrind?")
            continue
        programs += 1
        exe = root.findtext("args/argv/exe") or path
        for s in root.findall("suppcounts/pair"):
            supp[s.findtext("name")] += int(s.findtext("count"))
        log = path[:-4] + ".log"
        if os.path.exists(log):
            for m in re.finditer(r"unhandled eBPF command (\d+)", open(log, errors="replace").read()):
                unhandled.add(int(m.group(1)))
        for e in root.findall("error"):
            kind = e.findtext("kind")
            what = (e.findtext("what") or e.findtext("xwhat/text") or "").strip()
            fs = frames(e.find("stack"))
            cls, f = where(fs, capi, exe)
            if kind.startswith("Leak_"):
                if kind in ("Leak_DefinitelyLost", "Leak_IndirectlyLost") and cls in ("C layer", "test code", "unknown"):
                    failures.append(f"{os.path.basename(exe)}: {kind} ({cls}): {what}\n{fmt_stack(fs)}")
                counts[f"{kind} from {cls}"] += 1
                continue
            if cls == "C layer" or cls == "unknown":
                failures.append(f"{os.path.basename(exe)}: {kind} in the {cls} at {f['fn']}: {what}\n{fmt_stack(fs)}")
            elif cls == "test code" and not kind.startswith("Uninit"):
                failures.append(f"{os.path.basename(exe)}: {kind} in test code at {f['fn']}: {what}\n{fmt_stack(fs)}")
            counts[f"{kind} in {cls}"] += 1
    print(f"vgcheck: {programs} processes; {sum(supp.values())} reports suppressed by go.supp/tests.supp "
          f"({len(supp)} suppressions used)")
    for k, v in sorted(counts.items()):
        note = ""
        if k.startswith("Uninit") and "test code" in k:
            note = f"  (memory the kernel filled through bpf(2) commands memcheck does not model: {sorted(unhandled)})"
        print(f"vgcheck:   {v:5d} {k}{note}")
    if failures:
        print(f"vgcheck: FAIL: {len(failures)} report(s) in the C layer or the test code:")
        for f in failures:
            print("  " + f)
        return 1
    print("vgcheck: ok: no memcheck report in the library's C layer, no leak from it or the tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
