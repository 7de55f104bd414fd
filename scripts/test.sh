#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests on SQLite AND
# PostgreSQL, and browser tests in headless Chromium.
#
#   ./scripts/test.sh
#
# Needs: a Rust toolchain; PostgreSQL reachable at CERCLE_TEST_POSTGRES
# (default postgres://postgres@127.0.0.1:5432/postgres, trust auth);
# Chromium and ChromeDriver (installed here from Debian/Ubuntu packages when
# missing and running as root). Without them:
#   CERCLE_SKIP_POSTGRES=1  runs the database tests on SQLite only
#   CERCLE_SKIP_NATS=1      skips the event bus tests through NATS (a NATS
#                           server at CERCLE_TEST_NATS, default nats://127.0.0.1:4222)
#   CERCLE_SKIP_BROWSER=1   skips the browser tests
#   CERCLE_SKIP_SCHEMATHESIS=1  skips the schemathesis run against the API
#   CERCLE_SKIP_FHIR_TOOLS=1    skips the FHIR directory check with fhir.resources and fhirpy
#   CERCLE_SKIP_S3=1        skips the attachments' tests on object storage
# The object storage tests run against Garage, a real S3 server, pinned:
# built from crates.io into ~/.cache/cercle-tools once (cargo install, about
# 17 minutes on two shared cores; scripts/test-s3.sh), started here on free ports
# with a temporary folder, stopped at the end. CERCLE_TEST_S3_ENDPOINT (with
# _REGION, _BUCKET, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY) set: that S3 server
# is used instead.
# schemathesis (pinned) is installed here from PyPI into a virtualenv in
# ~/.cache/cercle-schemathesis (needs python3 and its venv module), or taken
# from CERCLE_SCHEMATHESIS (a path to its `st` command).
# The FHIR tools (fhir.resources 6.4.0, the FHIR R4 models, with pydantic
# 1.10.27, and the fhirpy 2.3.1 client; pinned) are installed the same way
# into ~/.cache/cercle-fhir-tools, or taken from CERCLE_FHIR_PYTHON (a Python
# that has them); scripts/fhir_check.py uses them.
# The browser tests also run axe-core (the accessibility check) on every
# page: it is installed here from the npm registry into ~/.cache/cercle-axe
# when missing (needs npm), or taken from CERCLE_AXE (a path to axe.min.js).
# Both skips are announced loudly; CI never sets them.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cercle-target}"
export CERCLE_TEST_POSTGRES="${CERCLE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"

if [ "${CERCLE_SKIP_BROWSER:-0}" != "1" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      echo "== Installing Chromium and ChromeDriver (Debian packages)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      echo "Chromium and ChromeDriver are needed for the browser tests. Install them with:"
      echo "  sudo apt-get install -y chromium chromium-driver"
      echo "or run with CERCLE_SKIP_BROWSER=1 to skip the browser tests."
      exit 1
    fi
  fi
  # axe-core, pinned: the same rules on every run. Only the tests load it
  # (injected into the page through WebDriver); the app never ships it.
  axe_version="4.10.3"
  axe_prefix="$HOME/.cache/cercle-axe"
  axe_js="${CERCLE_AXE:-$axe_prefix/node_modules/axe-core/axe.min.js}"
  if ! head -c 40 "$axe_js" 2>/dev/null | grep -q "axe v$axe_version"; then
    if [ -n "${CERCLE_AXE:-}" ]; then
      echo "CERCLE_AXE=$CERCLE_AXE is not axe-core $axe_version (axe.min.js)."
      exit 1
    fi
    if command -v npm >/dev/null; then
      echo "== Installing axe-core $axe_version (npm registry) into $axe_prefix"
      mkdir -p "$axe_prefix"
      npm install --prefix "$axe_prefix" --no-save --no-audit --no-fund --silent "axe-core@$axe_version" >/dev/null
    else
      echo "axe-core $axe_version is needed for the accessibility check of the browser tests."
      echo "Install Node.js and npm (e.g. sudo apt-get install -y npm), then run:"
      echo "  npm install --prefix ~/.cache/cercle-axe axe-core@$axe_version"
      echo "or point CERCLE_AXE at an axe.min.js of that version,"
      echo "or run with CERCLE_SKIP_BROWSER=1 to skip the browser tests."
      exit 1
    fi
  fi
  export CERCLE_AXE="$axe_js"
else
  echo "!! CERCLE_SKIP_BROWSER=1: browser tests are NOT run"
fi

# pdftotext (poppler-utils) reads back the exported thread PDFs in the unit
# tests, which fail without it unless CERCLE_SKIP_PDFTOTEXT=1.
if [ "${CERCLE_SKIP_PDFTOTEXT:-0}" != "1" ]; then
  if ! command -v pdftotext >/dev/null; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      echo "== Installing pdftotext (Debian package poppler-utils)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
    else
      echo "pdftotext is needed to check the PDF exports. Install it with:"
      echo "  sudo apt-get install -y poppler-utils"
      echo "or run with CERCLE_SKIP_PDFTOTEXT=1 to skip that check."
      exit 1
    fi
  fi
else
  echo "!! CERCLE_SKIP_PDFTOTEXT=1: PDF exports are NOT read back with pdftotext"
fi

# schemathesis, pinned: the property-based API tester the integration test
# `schemathesis` runs against the server (0 server errors, 0 schema
# violations). Installed from PyPI into its own virtualenv; needs python3
# with the venv module (Debian: python3-venv).
if [ "${CERCLE_SKIP_SCHEMATHESIS:-0}" != "1" ]; then
  st_version="4.32.5"
  st_venv="$HOME/.cache/cercle-schemathesis"
  if [ -z "${CERCLE_SCHEMATHESIS:-}" ]; then
    if ! "$st_venv/bin/st" --version 2>/dev/null | grep -q "version $st_version\$"; then
      if ! command -v python3 >/dev/null || ! python3 -c "import venv, ensurepip" 2>/dev/null; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
          echo "== Installing python3 and its venv module (Debian packages)"
          apt-get update -qq
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
        else
          echo "schemathesis needs python3 with venv. Install them with:"
          echo "  sudo apt-get install -y python3 python3-venv"
          echo "or run with CERCLE_SKIP_SCHEMATHESIS=1 to skip the schemathesis test."
          exit 1
        fi
      fi
      echo "== Installing schemathesis $st_version (PyPI) into $st_venv"
      rm -rf "$st_venv"
      python3 -m venv "$st_venv"
      "$st_venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$st_version"
    fi
    export CERCLE_SCHEMATHESIS="$st_venv/bin/st"
  fi
else
  echo "!! CERCLE_SKIP_SCHEMATHESIS=1: the schemathesis test is NOT run"
fi

# The FHIR tools, pinned: the R4 models of fhir.resources and the fhirpy
# client, which scripts/fhir_check.py (run by the integration test
# `fhir_tools`) checks the /fhir directory with. Same pattern as
# schemathesis: their own virtualenv, from PyPI.
if [ "${CERCLE_SKIP_FHIR_TOOLS:-0}" != "1" ]; then
  fhir_pins="fhir.resources==6.4.0 pydantic==1.10.27 fhirpy==2.3.1"
  fhir_venv="$HOME/.cache/cercle-fhir-tools"
  if [ -z "${CERCLE_FHIR_PYTHON:-}" ]; then
    if ! "$fhir_venv/bin/python" -c 'import fhir.resources as r, fhirpy, pydantic, sys; sys.exit(not (r.__version__ == "6.4.0" and pydantic.VERSION == "1.10.27" and fhirpy.__version__ == "2.3.1"))' 2>/dev/null; then
      if ! command -v python3 >/dev/null || ! python3 -c "import venv, ensurepip" 2>/dev/null; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
          echo "== Installing python3 and its venv module (Debian packages)"
          apt-get update -qq
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
        else
          echo "The FHIR tools need python3 with venv. Install them with:"
          echo "  sudo apt-get install -y python3 python3-venv"
          echo "or run with CERCLE_SKIP_FHIR_TOOLS=1 to skip the FHIR tools test."
          exit 1
        fi
      fi
      echo "== Installing $fhir_pins (PyPI) into $fhir_venv"
      rm -rf "$fhir_venv"
      python3 -m venv "$fhir_venv"
      # shellcheck disable=SC2086
      "$fhir_venv/bin/pip" install --quiet --disable-pip-version-check $fhir_pins
    fi
    export CERCLE_FHIR_PYTHON="$fhir_venv/bin/python"
  fi
else
  echo "!! CERCLE_SKIP_FHIR_TOOLS=1: the FHIR tools test is NOT run (listed as SKIPPED)"
fi

if [ "${CERCLE_SKIP_POSTGRES:-0}" != "1" ]; then
  hostport="${CERCLE_TEST_POSTGRES#*@}"; hostport="${hostport%%/*}"
  host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=5432
  if ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "PostgreSQL is not reachable at $host:$port (CERCLE_TEST_POSTGRES=$CERCLE_TEST_POSTGRES)."
    echo "Start one, for example:"
    echo "  docker run --rm -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16"
    echo "or run with CERCLE_SKIP_POSTGRES=1 to run the database tests on SQLite only."
    exit 1
  fi
else
  echo "!! CERCLE_SKIP_POSTGRES=1: integration tests run on SQLite only"
fi

# Tests that did not run (CERCLE_SKIP_POSTGRES, CERCLE_SKIP_BROWSER…) write a
# `SKIPPED <test>: <why>` line here (cercle_testkit::report_skipped); they are
# counted at the end, pass or fail, so that a skip is never read as a pass.
export CERCLE_SKIPPED_LOG="$(mktemp -t cercle-skipped.XXXXXX)"
skipped_summary() {
  local n
  n=$(wc -l <"$CERCLE_SKIPPED_LOG" | tr -d ' ')
  if [ "$n" != "0" ]; then
    echo "!! $n test run(s) SKIPPED (not passed):"
    sort "$CERCLE_SKIPPED_LOG" | sed 's/^/   /'
  else
    echo "== no test skipped"
  fi
  rm -f "$CERCLE_SKIPPED_LOG"
}
# The S3 server, stopped at the end whatever happens.
# shellcheck source=scripts/test-s3.sh
source scripts/test-s3.sh
trap 'stop_test_s3; skipped_summary' EXIT
if [ "${CERCLE_SKIP_S3:-0}" != "1" ]; then
  if [ -z "${CERCLE_TEST_S3_ENDPOINT:-}" ]; then
    s3_since=$SECONDS
    start_test_s3
    echo "== Garage ready ($((SECONDS - s3_since)) s)"
  else
    echo "== Object storage tests on CERCLE_TEST_S3_ENDPOINT=$CERCLE_TEST_S3_ENDPOINT"
  fi
else
  echo "!! CERCLE_SKIP_S3=1: attachments on object storage (S3) are NOT tested"
fi

echo "== cargo test (unit, integration on SQLite and PostgreSQL, browser)"
# Two test threads: the machine this must fit has two cores, and each test
# starts its own server (and sometimes a browser).
cargo test --workspace --locked -- --test-threads="${CERCLE_TEST_THREADS:-2}"
