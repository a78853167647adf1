# whoserves: two commands matter.
#   make serve   set up what is missing, build the site, serve it on http://127.0.0.1:8080
#   make test    set up what is missing and run every test
SHELL := /bin/bash
PORT ?= 8080
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CARGO_TERM_COLOR := never
# The native packages: the app is only built for wasm32.
NATIVE := -p whoserves-core -p whoserves-import -p whoserves-collect -p whoserves-cli -p whoserves-testserver

.PHONY: serve site cli setup setup-test test test-native lint test-wasm test-e2e bench schema clean

serve: site
	@echo "serving dist/ on http://127.0.0.1:$(PORT)/  (Ctrl-C stops)"
	python3 -m http.server --bind 127.0.0.1 --directory dist $(PORT)

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test

# The command line, target/release/whoserves (collect, check, import, ...).
cli:
	cargo build --release -p whoserves-cli

# The release site in dist/.
site: setup
	trunk build --release

test: setup-test lint test-native test-wasm site test-e2e
	@echo "make test: all passed"

# fmt and clippy, native crates and the app (checked for wasm32).
lint:
	cargo fmt --all -- --check
	cargo clippy $(NATIVE) --all-targets -- -D warnings
	cargo clippy -p whoserves-app --target wasm32-unknown-unknown -- -D warnings

# Unit, fixture, property and doc tests of the core and the CLI.
test-native:
	cargo test $(NATIVE)

# Component tests of the app in headless Chromium (wasm-bindgen-test,
# chromedriver; flags in webdriver.json).
test-wasm:
	cargo test -p whoserves-app --target wasm32-unknown-unknown

# Browser tests against the release build served over HTTP on 127.0.0.1.
test-e2e:
	node --test tests/e2e/

# Figures, not assertions: core throughput, the adversarial shapes against
# the cost bound, loading and querying the shipped range libraries, the
# real-fingerprint corpus beside wappalyzer-core (WAPPALYZER=DIR: a
# technology set such as enthec/webappanalyzer's src/; without it the
# corpus bench runs on the fixture excerpt and says so), then the release
# site's size, time to the graph painted and pan frame times in headless
# Chromium, beside Cytoscape.js on the same graphs.
WAPPALYZER ?=
bench: setup-test site cli
	cargo bench -p whoserves-core --bench throughput
	cargo bench -p whoserves-import --bench corpus -- $(WAPPALYZER)
	cargo bench -p whoserves-core --bench adversarial
	cargo bench -p whoserves-core --bench libraries
	cargo bench -p whoserves-collect --bench collect
	node bench/site.mjs

# Regenerates public/schema/bundle-v1.schema.json from the wire types.
schema:
	cargo run -q -p whoserves-cli -- schema > public/schema/bundle-v1.schema.json

clean:
	cargo clean
	rm -rf dist
