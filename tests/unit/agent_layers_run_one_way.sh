#!/bin/sh
# The agent's jobs depend on each other one way (issue 10, "the agent's
# house"): daemon -> mib, notify, schedule -> rows -> config -> model, store,
# util, never back, and no two modules (file pairs) include each other
# through any chain.  Read from the sources' #include lines.
top=${srcdir:-$(dirname "$0")/../..}
exec python3 - "$top/agent" <<'PY'
import os, re, sys
root = sys.argv[1]
rank = {"util": 0, "model": 1, "store": 1, "config": 2, "rows": 3,
        "mib": 4, "notify": 4, "schedule": 4, "daemon": 5}
same_rank_ok = {("notify", "mib")}     # notifications are the MIB's objects
edges, bad = {}, []
for d in sorted(rank):
    for f in sorted(os.listdir(os.path.join(root, d))):
        if not f.endswith((".c", ".h")):
            continue
        mod = d + "/" + f.rsplit(".", 1)[0]
        for line in open(os.path.join(root, d, f), encoding="utf-8"):
            m = re.match(r'#include "([a-z_]+)/([a-z_]+)\.h"', line)
            if not m:
                continue
            to_dir, to = m.group(1), m.group(1) + "/" + m.group(2)
            if to != mod:
                edges.setdefault(mod, set()).add(to)
            if to_dir != d and not (rank[to_dir] < rank[d] or (d, to_dir) in same_rank_ok):
                bad.append("%s/%s includes %s (a %s module may not depend on %s)"
                           % (d, f, to, d, to_dir))
for b in bad:
    print("FAIL:", b)
# cycles between modules
state, stack, cycles = {}, [], []
def visit(m):
    state[m] = 1
    stack.append(m)
    for n in sorted(edges.get(m, ())):
        if state.get(n) == 1:
            cycles.append(" -> ".join(stack[stack.index(n):] + [n]))
        elif not state.get(n):
            visit(n)
    stack.pop()
    state[m] = 2
for m in sorted(edges):
    if not state.get(m):
        visit(m)
for c in cycles:
    print("FAIL: circle:", c)
n = sum(len(v) for v in edges.values())
print("%d modules, %d include edges, %d against the layers, %d circles"
      % (len(edges), n, len(bad), len(cycles)))
sys.exit(1 if bad or cycles else 0)
PY
