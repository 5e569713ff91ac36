#!/usr/bin/env bash
# Installable anywhere: `pip install .` (not editable) of this checkout into a new venv outside
# it, then, from empty folders and with no GOVSTATS_* variables set, the first look (the explore
# notebook builds the missing default store from the bundled data), `govstats ingest FOLDER`,
# `govstats briefings --all`, `read_report` and the explore notebook on the ingested store.
# Run by `make check-install` and by .ci/run after the tests; takes a few minutes (the install).
#   bash scripts/check_install.sh [WORKDIR]   (default: a new temporary folder, removed after)
set -euo pipefail
checkout="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
[ $# -ge 1 ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
unset GOVSTATS_HOME GOVSTATS_DATA GOVSTATS_DB GOVSTATS_REPORTS GOVSTATS_REGISTRY GOVSTATS_NOTEBOOKS
PYTHON="${PYTHON:-python3}"
step() { echo "check-install: $*"; }

# a copy of the checkout's files (tracked and new, not ignored): the build sees nothing beside
# it (no ../shared) and leaves no build/ folder in the checkout
step "copying the checkout to $work/src"
mkdir "$work/src"
(cd "$checkout" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - --no-recursion) |
    tar -xf - -C "$work/src"

step "pip install . into a new venv"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work/src" 2>&1 | grep -v "^WARNING: Location" || true
"$work/venv/bin/python" -m pip show --quiet govstats >/dev/null
rm -rf "$work/src"  # nothing may depend on the source tree from here on
bin="$work/venv/bin"
export MPLCONFIGDIR="$work/mpl"

step "first look: the explore notebook in an empty folder"
mkdir "$work/first" && cd "$work/first"
"$bin/python" - <<'EOF'
import contextlib, io, sys
import nbformat, papermill
from govstats import config
papermill.execute_notebook(str(config.NOTEBOOKS_DIR / "01-explore.ipynb"), "explore.ipynb",
                           kernel_name="python3", progress_bar=False, execution_timeout=300, cwd=".")
nb = nbformat.read("explore.ipynb", as_version=4)
shown = "\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
                  for c in nb.cells for o in c.get("outputs", []))
assert "首次使用" in shown, "no line saying the default store was built"
assert "数据库文件不存在" not in shown, "a missing-store notice"
assert "平潭综合实验区" in shown, "the bundled reports are not shown"
print("  shown: the bundled reports, and", next(l for l in shown.splitlines() if "首次使用" in l).strip())
EOF
test -f data/govstats.duckdb

step "govstats ingest FOLDER; govstats briefings --all (another empty folder)"
mkdir -p "$work/home/inbox" && cd "$work/home"
"$bin/python" -c "import shutil; from govstats import config; shutil.copy(config.BUNDLED_DATA / 'raw' / '2020_ziyang-bgs_txt-pipe.txt', 'inbox')"
"$bin/govstats" ingest inbox
"$bin/govstats" briefings --all
test -f reports/index.html
ls reports

step "read_report"
"$bin/python" -c "
import govstats
report = govstats.read_report('inbox/2020_ziyang-bgs_txt-pipe.txt')
assert report.body and report.year == 2020 and len(report.tidy()) > 0
print(' ', report.body, report.year, report.template, len(report.tidy()), 'values,', len(govstats.check(report)), 'findings')"

step "the explore notebook on the ingested store (run from notebooks/ below the home)"
mkdir notebooks && cd notebooks
"$bin/python" - <<'EOF'
import nbformat, papermill
from govstats import config
papermill.execute_notebook(str(config.NOTEBOOKS_DIR / "01-explore.ipynb"), "explore.ipynb",
                           parameters={"body": "ziyang-bgs"}, kernel_name="python3",
                           progress_bar=False, execution_timeout=300, cwd=".")
nb = nbformat.read("explore.ipynb", as_version=4)
errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
shown = "\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
                  for c in nb.cells for o in c.get("outputs", []))
assert not errors, errors
assert "首次使用" not in shown and "数据库文件不存在" not in shown
assert "资阳市人民政府办公室" in shown
print("  shown: the ingested report of 资阳市人民政府办公室")
EOF
test ! -e data  # the home is the folder above, where the store is
step "ok"
