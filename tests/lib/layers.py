#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check which way the files of src/ call each other.

    tests/lib/layers.py SRC_DIR

Reads src/Kbuild for which objects make snd-omnibus-core and which make
each backend, finds every function or variable a .c file defines without
"static", and every other .c file that names it.  Prints one line per
breach and exits 1 if there is one:

  - two files that name each other's symbols (a dependency both ways);
  - a file of the core that names a symbol of a backend (the core never
    names a chip);
  - a backend that names a symbol of another backend (each backend
    depends on the core alone).

Prints the call graph ("a.c -> b.c c.c") first.  A text search, not a
compiler: it sees names, not calls through pointers, which is what the
rule is about (a chip hands the core callbacks; the core calls them
without naming them).
"""
import os
import re
import sys

src = sys.argv[1]
kbuild = open(os.path.join(src, 'Kbuild')).read().replace('\\\n', ' ')
module_of = {}
for m in re.finditer(r'^(snd-omnibus-[a-z0-9]+)-y\s*:=\s*(.*)$', kbuild, re.M):
    for obj in m.group(2).split():
        module_of[obj[:-2] + '.c'] = m.group(1)

files = sorted(f for f in os.listdir(src)
               if f.endswith('.c') and not f.endswith('.mod.c'))
texts = {}
for f in files:
    t = open(os.path.join(src, f)).read()
    t = re.sub(r'/\*.*?\*/', ' ', t, flags=re.S)
    t = re.sub(r'//[^\n]*', ' ', t)
    t = re.sub(r'"(\\.|[^"\\])*"', '""', t)
    texts[f] = t

defined = {}
for f, t in texts.items():
    # a definition at file scope that is not static: "type name(" or
    # "type name =" / "type name;" at the start of a line
    for m in re.finditer(r'^(?!static\b)(?:[A-Za-z_][\w]*[\s\*]+)+([A-Za-z_]\w*)\s*(\(|=|;|\[)',
                         t, re.M):
        name = m.group(1)
        if name in ('return', 'if', 'else', 'sizeof'):
            continue
        defined.setdefault(name, f)

deps = {f: set() for f in files}
for f, t in texts.items():
    words = set(re.findall(r'[A-Za-z_]\w*', t))
    for name, owner in defined.items():
        if owner != f and name in words:
            deps[f].add(owner)

bad = []
for f in files:
    print('%s -> %s' % (f, ' '.join(sorted(deps[f])) or '-'))
for f in files:
    for g in deps[f]:
        if f < g and f in deps[g]:
            bad.append('%s and %s depend on each other' % (f, g))
        mf, mg = module_of.get(f), module_of.get(g)
        if mf == 'snd-omnibus-core' and mg and mg != mf:
            bad.append('%s (the core) names a symbol of %s (%s)' % (f, g, mg))
        if mf and mg and mf != mg and 'snd-omnibus-core' not in (mf, mg):
            bad.append('%s (%s) names a symbol of %s (%s)' % (f, mf, g, mg))
    if f not in module_of:
        bad.append('%s is in no module of src/Kbuild' % f)
for b in bad:
    print('BREACH: ' + b)
sys.exit(1 if bad else 0)
