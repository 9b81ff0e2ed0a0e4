#!/usr/bin/env python3
"""errtable.py [HEADER] — the "function -> errors" table of
tests/RELIABILITY.md, from the comments of include/xdpkit.h.

For each function the header declares (the inline ring helpers aside) it
lists the errnos the comment just above the declaration (and the group
comment it belongs to) names, plus those every function of its kind can
return by the header's conventions:
  handle functions   -EINVAL (NULL handle), -EBADF (closed/forged handle)
  every function     -ECHILD in a child forked without exec
  privileged ones    -EPERM (message names the missing capabilities)
  map fd functions   -EINVAL/-EBADF, and the Maps section's key errnos
Other kernel errnos pass through. Prints Markdown.
"""

import os
import re
import sys

HEADER = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "include", "xdpkit.h")
NO_GUARD = {"xdpkit_version", "xdpkit_strerror", "xdpkit_last_error", "xdpkit_errmsg"}
HANDLE_ARG = re.compile(r"struct xdpkit_(umem|socket|frame_pool|prog|link) \*(?!\*)")
PRIVILEGED = re.compile(r"^xdpkit_(umem_create|socket_create|map_(create|open|pin|update|lookup|delete|next_key|info|"
                        r"update_batch|delete_batch|lookup_batch|lookup_and_delete)|xskmap_|cpumap_|devmap_|queue_|"
                        r"prog_(load|attach)|socket_update_xskmap)")


def declarations(text):
    """(name, return type, args, comment) for each function declared at
    top level, with the comment block just above it (no blank line in
    between; consecutive declarations share it)."""
    lines = text.split("\n")
    comment, buf, in_comment = "", [], False
    i = 0
    while i < len(lines):
        line = lines[i]
        if in_comment:
            buf.append(line)
            if "*/" in line:
                in_comment, comment = False, "\n".join(buf)
            i += 1
            continue
        if line.lstrip().startswith("/*"):
            buf = [line]
            if "*/" in line:
                comment = line
            else:
                in_comment = True
            i += 1
            continue
        if not line.strip():
            comment = ""
        m = re.match(r"^([A-Za-z_][\w \*]*?)\b(xdpkit_[a-z0-9_]+)\(", line)
        if m and not line.startswith(("XDPKIT_API_INLINE", "#")):
            decl = line
            while ";" not in decl and "{" not in decl and i + 1 < len(lines):
                i += 1
                decl += " " + lines[i].strip()
            if ";" in decl and "{" not in decl.split(";")[0]:
                args = decl[decl.index("(") + 1:decl.rindex(")")]
                yield m.group(2), m.group(1).strip(), args, comment
        i += 1


def main():
    text = open(HEADER, encoding="utf-8").read()
    rows = []
    seen = set()
    for name, rtype, args, comment in declarations(text):
        if name in seen:
            continue
        seen.add(name)
        errs = set(re.findall(r"-E[A-Z0-9]+", comment))
        if HANDLE_ARG.search(args):
            errs |= {"-EINVAL", "-EBADF"}
        if re.search(r"const char \*ifname", args):
            errs |= {"-EINVAL", "-ENODEV"}
        if re.search(r"\*\*out\b", args) or re.search(r"\*(info|stats|opts|out|addrs|cursor)\b", args):
            errs.add("-EINVAL")
        # The Maps section's conventions (its opening comment): sizes are
        # checked first (-EINVAL), a missing key is -ENOENT, an existing one
        # with NOEXIST -EEXIST, a full map -E2BIG; an fd that is not a map
        # is -EBADF (or -EINVAL).
        if re.search(r"const char \*path", args) or name == "xdpkit_map_create":
            errs.add("-EINVAL")
        if re.search(r"\bint (fd|map_fd)\b", args):
            errs |= {"-EINVAL", "-EBADF"}
        if name in ("xdpkit_map_update", "xdpkit_map_update_batch"):
            errs |= {"-ENOENT", "-EEXIST", "-E2BIG"}
        if name in ("xdpkit_map_lookup", "xdpkit_map_delete", "xdpkit_map_lookup_and_delete", "xdpkit_cpumap_get",
                    "xdpkit_devmap_get", "xdpkit_map_open_pinned", "xdpkit_map_open_id", "xdpkit_map_unpin"):
            errs.add("-ENOENT")
        if name == "xdpkit_queue_push":
            errs.discard("-ENOENT")
        if name in ("xdpkit_queue_peek", "xdpkit_queue_pop"):
            errs.discard("-E2BIG")
        if name == "xdpkit_prog_attach":  # another program on the interface
            errs.add("-EBUSY")
        if name.startswith("xdpkit_socket_create"):  # as xdpkit_socket_create
            errs |= {"-EINVAL", "-EBADF", "-ENODEV", "-EBUSY", "-EOPNOTSUPP"}
        if PRIVILEGED.search(name):
            errs.add("-EPERM")
        if name not in NO_GUARD:
            errs.add("-ECHILD")
        ret = ""
        if rtype.endswith("*") and name not in ("xdpkit_strerror", "xdpkit_last_error"):
            ret = "NULL on error"
        if name in ("xdpkit_version", "xdpkit_strerror", "xdpkit_last_error"):
            ret, errs = "never fails", set()
        order = ["-EINVAL", "-EBADF", "-ENODEV", "-ENOENT", "-EEXIST", "-E2BIG", "-EBUSY", "-ERANGE", "-EOPNOTSUPP",
                 "-ENOMEM", "-EPERM", "-ECHILD"]
        errs = sorted(errs, key=lambda e: (order.index(e) if e in order else len(order), e))
        rows.append((name, errs, ret))
    print("| function | errors (negative errno; message in xdpkit_last_error()) |")
    print("|---|---|")
    for name, errs, ret in rows:
        txt = ", ".join(f"`{e}`" for e in errs)
        if ret:
            txt = ret + ((" (" + txt + ")") if errs else "")
        print(f"| `{name}` | {txt or '—'} |")


if __name__ == "__main__":
    main()
