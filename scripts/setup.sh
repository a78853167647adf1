#!/usr/bin/env bash
# Installs what building, serving and testing need, skipping what is there.
# Idempotent: every step checks the installed version first.
#
#   scripts/setup.sh build   wasm target, trunk, wasm-bindgen-cli, wasm-opt
#   scripts/setup.sh test    the above, plus Chromium, chromedriver, Playwright and
#                            xmllint (the GEXF export is validated against its XSD)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }

need_build() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "wasm32-unknown-unknown present"
  else
    say "adding wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown
  fi
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" = "$TRUNK_VERSION" ]; then
    say "trunk $TRUNK_VERSION present"
  else
    say "installing trunk $TRUNK_VERSION (about 7 minutes)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WBG_VERSION" ]; then
    say "wasm-bindgen-cli $WBG_VERSION present"
  else
    # Not --locked: its lockfile pins a yanked crate.
    say "installing wasm-bindgen-cli $WBG_VERSION (about 2 minutes)"
    cargo install wasm-bindgen-cli --version "$WBG_VERSION"
  fi
  # trunk builds offline, so every crate must already be downloaded.
  say "fetching crates (cargo fetch)"
  cargo fetch --locked
  need_npm
}

need_npm() {
  # binaryen (wasm-opt) and Playwright come from npm, pinned in package-lock.json.
  # Never Debian's binaryen: its wasm-opt 108 yields a blank page.
  if [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] && [ -d node_modules/cytoscape ] && [ -d node_modules/wappalyzer-core ] \
     && node_modules/.bin/wasm-opt --version | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    say "npm packages present"
  else
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

need_browser() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "chromium and chromedriver present"
  else
    say "installing chromium and chromium-driver from Debian"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver
  fi
}

need_xmllint() {
  if command -v xmllint >/dev/null; then
    say "xmllint present"
  else
    say "installing libxml2-utils (xmllint) from Debian"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libxml2-utils \
      || { $sudo apt-get update -qq || true; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libxml2-utils; }
  fi
}

case "${1:-build}" in
  build) need_build ;;
  test) need_build; need_browser; need_xmllint ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
