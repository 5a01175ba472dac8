#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter: on PATH first, then in pyenv.
# Exits 1 with advice when there is none (Mesa 3.4+ needs Python 3.12).
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for cand in python3.13 python3.12 python3 python; do
  if path=$(command -v "$cand" 2>/dev/null) && ok "$path"; then echo "$path"; exit 0; fi
done
root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
  if ok "$path"; then echo "$path"; exit 0; fi
done
echo "churnsim needs Python >= 3.12 and none was found on PATH or in pyenv." >&2
echo "Install one (e.g. 'pyenv install 3.12' or your system's python3.12 package) and retry." >&2
exit 1
