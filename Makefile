# Client Portal: the commands in the README. Everything missing is installed for the project
# (.venv for Python tools, web/node_modules for npm; both built once per machine and linked in,
# scripts/install-cache.sh); nothing global is assumed but the stock toolchain (cargo, python3,
# node/npm).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
FUNCTIONS := $(notdir $(wildcard functions/*))
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export SAM_CLI_TELEMETRY := 0

.PHONY: help tools web-deps chromium cargo-deny checkov dev test e2e screenshots lighthouse bench cost chaos load fuzz audit build deploy mailbox clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The virtualenvs and node_modules are built once per machine and lockfile, then linked into the
# clone (scripts/install-cache.sh; INSTALL_CACHE=off installs into the clone instead).
$(STAMP): tools/requirements.txt
	scripts/install-cache.sh venv tools tools/requirements.txt $(VENV)
	touch $@

tools: $(STAMP) ## Install the Python tools (moto, cargo-lambda, SAM CLI, cfn-lint) into .venv

CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
$(CHECKOV_STAMP): tools/requirements-checkov.txt
	scripts/install-cache.sh venv checkov tools/requirements-checkov.txt $(CHECKOV_VENV)
	touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	scripts/install-cache.sh npm web
	touch $@

web-deps: web/node_modules/.installed

# The end-to-end suite drives Debian's Chromium; Playwright never downloads a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium: ## Install Debian's Chromium for the end-to-end suite (apt), if missing
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing chromium with apt…"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

# cargo-deny, built from crates.io, pinned. Built once per machine and kept beside cargo's own
# caches (the version is in the path), since a fresh clone would otherwise spend three CPU
# minutes rebuilding the same binary; built at low priority without LTO (a checker, not a hot path).
CARGO_DENY_VERSION := 0.20.2
CARGO_DENY := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/client-portal/cargo-deny-$(CARGO_DENY_VERSION)/bin/cargo-deny
$(CARGO_DENY):
	CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
	  nice -n 19 cargo install --locked --quiet --root $(dir $(@D)) cargo-deny@$(CARGO_DENY_VERSION)

cargo-deny: $(CARGO_DENY)
cargo-deny-path:
	@echo $(CARGO_DENY)
checkov: $(CHECKOV_STAMP)

dev: tools web-deps ## Run everything locally: emulator, demo data, functions, web app
	scripts/dev.sh

test: ## fmt, clippy, every test (Rust, web, end-to-end, API contract); installs what is missing; ends with a table of step times
	scripts/test.sh

e2e: web-deps chromium ## The end-to-end suite against the running `make dev` stack
	cargo build --quiet -p cli
	cd web && E2E_STACK_DIR=.dev npx playwright test

screenshots: ## Refresh the README's screenshots from the last `make e2e` run
	scripts/screenshots.sh

lighthouse: web-deps chromium ## Lighthouse (desktop + mobile) on the production build beside the running `make dev`
	cargo build --quiet -p cli
	scripts/lighthouse.sh .dev

bench: tools ## Benchmarks: cold start, warm latency, scale, Harvest calls (figures for the README)
	scripts/bench.sh

cost: ## Monthly AWS cost for 10, 50 and 500 client companies (scripts/cost_model.py; inputs in the file)
	python3 scripts/cost_model.py

audit: $(CARGO_DENY) ## Known-vulnerable crates (RustSec; needs access to GitHub for the advisory database)
	$(CARGO_DENY) check advisories

fuzz: ## Fuzz the parsers of outside input, FUZZ_SECONDS each (nightly + cargo-fuzz, installed if missing)
	scripts/fuzz.sh

chaos: tools ## Fault drill against the running `make dev`: the emulator frozen mid-traffic, Harvest down; prints what held
	.venv/bin/python scripts/chaos.py

load: ## Load test against the running `make dev`: 200 sign-ins, 1000 reads, 200 posts; no 5xx, no lost message
	scripts/load.sh

build: tools web-deps ## Release zips of every function (target/lambda/<fn>/bootstrap.zip) and web/dist
	cd web && npx tsc --noEmit && npx vite build
	rm -rf target/lambda
	cargo lambda build --release --output-format zip $(addprefix -p ,$(FUNCTIONS))
	@ls -l $(foreach f,$(FUNCTIONS),target/lambda/$(f)/bootstrap.zip) | awk '{printf "  %-40s %6.2f MB\n", $$9, $$5/1048576}'

deploy: build ## sam build + sam deploy (guided the first time), then upload web/dist and invalidate CloudFront
	scripts/deploy.sh

mailbox: ## Show the local dev mailbox (while `make dev` runs)
	scripts/with-dev-env.sh cargo run --quiet -p cli -- mailbox

clean: ## Remove build output and local state
	cargo clean
	rm -rf .dev web/dist .tools fuzz/target
