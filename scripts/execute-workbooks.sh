#!/usr/bin/env bash
# Re-run every workbook against a fresh demo workspace and store the outputs (as nbval expects).
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$(mktemp -d)
.venv/bin/sigworkbook --workspace "$workspace" init --demo >/dev/null
export SIGWORKBOOK_WORKSPACE=$workspace SIGWORKBOOK_SIG=home-safely SIGWORKBOOK_AUTHOR=nbval
if [ "$#" -eq 0 ]; then set -- workbooks/[0-9]*.ipynb workbooks/app.ipynb; fi
for notebook in "$@"; do
  .venv/bin/jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.store_widget_state=False "$notebook"
  # Voila and nbval run the notebook afresh: stored widget state is only dead weight in git.
  .venv/bin/python -c 'import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nb.metadata.pop("widgets", None)
nbformat.write(nb, sys.argv[1])' "$notebook"
done
rm -rf "$workspace"
