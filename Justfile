# resilience — task runner (pip install rust-just, or use the venv: .venv/bin/just)
set shell := ["bash", "-euo", "pipefail", "-c"]

venv := ".venv"
py := venv + "/bin/python"

default: check

# Create the virtualenv and install the project with its dev tools
install:
    test -x {{py}} || python3 -m venv {{venv}}
    {{py}} -m pip install -q -c constraints.txt -e '.[dev]'

# Lint, type-check and test
check: lint test

lint:
    {{venv}}/bin/ruff check resilience tests benchmarks tools setup.py
    {{venv}}/bin/ruff format --check resilience tests benchmarks tools setup.py
    {{venv}}/bin/mypy

test:
    {{py}} -m pytest

# Build a wheel offline, install it into a fresh venv, run it from another folder
wheel-check:
    {{py}} -m pytest tests/cli/test_install.py -q

# A wheel in dist/ (non-editable install: pip install dist/resilience-*.whl)
wheel:
    {{py}} -m pip wheel --no-deps --no-build-isolation -w dist .

# The main job on the embedded default region
demo:
    {{venv}}/bin/resilience cut --node pokrovsk

# Regenerate reports/ from scenarios/ (byte-identical on rerun)
reports:
    {{venv}}/bin/resilience report

# Fast engine vs networkx (same algorithm and naive), same process; prints the table
# (e.g. `just bench --quick`, `just bench --only "edge scan" --json rows.json`;
# `--only flow`: max flow and concurrent flow in t/day)
bench *args:
    {{py}} benchmarks/bench.py {{args}}

# Start-up of `resilience cut --node pokrovsk` (interpreter included): 10 fresh runs after
# 1 warm-up, mean ± sd, min, max and the heavy packages loaded (e.g. `just startup --runs 20`)
startup *args:
    {{py}} benchmarks/startup.py {{args}}

# Scale: build, edge scan (20x20 OD, jobs=2) and table write of 10k/100k/1M-node road-like
# graphs, one process per size: seconds per phase, peak memory, growth exponent
# (e.g. `just scale --sizes 10000,100000 --json scale.json`; 1M takes ~10-20 min)
scale *args:
    {{py}} benchmarks/scale.py {{args}}

# The only recipe that needs the network: fetch real OSM road + rail around Pokrovsk
fetch place="Pokrovsk, Ukraine":
    {{venv}}/bin/resilience fetch --place "{{place}}"
