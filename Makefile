# Bindery — the two commands are `make run` and `make test`; the rest are for developers.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
CONFIG ?= conf/bindery.yaml

RELEASE_DIR := build/release
TEST_DIR    := build/test
FUZZ_SECONDS ?= 10

.PHONY: run test deps build build-test bench soak fuzz format lint clean install

deps:
	@bash tools/install-deps

# The build trees are CMake presets (CMakePresets.json): release, test, fuzz.
$(RELEASE_DIR)/build.ninja: | deps
	cmake --preset release

build: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS)

# Starts the bundled SMSC simulator on 127.0.0.1:2775 (the "sim" carrier of conf/bindery.yaml) in
# the background, then the gateway in the foreground; Ctrl-C drains the gateway (the simulator runs
# in its own session so the terminal's SIGINT does not reach it before the unbind), then the trap
# stops the simulator, which prints its counters. Builds only the two executables it runs.
# SIM_ARGS adds simulator options (e.g. SIM_ARGS="--dlr-mix DELIVRD=90,UNDELIV=10").
SIM_ARGS ?=
run: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target bindery bindery-smsc-sim
	@setsid $(RELEASE_DIR)/tools/smsc-sim/bindery-smsc-sim --listen 127.0.0.1:2775 $(SIM_ARGS) & sim=$$!; \
	  trap 'kill $$sim 2>/dev/null; wait $$sim 2>/dev/null' EXIT; \
	  $(RELEASE_DIR)/app/bindery serve --config $(CONFIG)

# Every test, under ASan+UBSan, built with clang 14 so the libFuzzer targets build in the same tree
# and each runs briefly as a ctest test. Configured every time (a second or two) so that
# FUZZ_SECONDS takes effect in an existing tree.
build-test: deps
	cmake --preset test -DBINDERY_FUZZ_SECONDS=$(FUZZ_SECONDS) > /dev/null
	cmake --build $(TEST_DIR) -j $(JOBS)

test: build-test
	ctest --test-dir $(TEST_DIR) --output-on-failure -j $(JOBS) --timeout 600

bench: build
	bash bench/run

# Soak (docs/soak.md): bindery-soak starts the gateway and the simulator (release build) and runs a
# mixed workload for DURATION (90s, 15m, 1h) at RATE messages/s, sampling RSS, descriptors, backlog
# and errors; fails on unbounded growth or an unaccounted message. Report: build/release/soak.json.
DURATION ?= 10m
RATE ?= 500
SOAK_ARGS ?=
soak: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target bindery-soak
	$(RELEASE_DIR)/tools/soak/bindery-soak --duration $(DURATION) --rate $(RATE) \
	  --json $(RELEASE_DIR)/soak.json $(SOAK_ARGS)

# make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=/etc] [LOCALSTATEDIR=/var]
# The binary in $(PREFIX)/bin, the configuration in /etc/bindery/bindery.yaml (an existing one is
# kept; the shipped one is then written as bindery.yaml.new), state in /var/lib/bindery, logs in
# /var/log/bindery, the systemd unit (paths rewritten to PREFIX/SYSCONFDIR), sysusers.d and
# logrotate files, the monitoring kit in $(PREFIX)/share/bindery/monitoring. Builds the release
# binary first unless BINDERY_BIN names one. docs/operations.md describes the layout.
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
BINDERY_BIN ?= $(RELEASE_DIR)/app/bindery
install: $(if $(filter $(RELEASE_DIR)/app/bindery,$(BINDERY_BIN)),build)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSCONFDIR)/bindery $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d \
	  $(DESTDIR)$(PREFIX)/share/bindery/monitoring/rules $(DESTDIR)$(PREFIX)/share/bindery/monitoring/grafana \
	  $(DESTDIR)$(PREFIX)/share/doc/bindery
	install -d -m 0750 $(DESTDIR)$(LOCALSTATEDIR)/lib/bindery $(DESTDIR)$(LOCALSTATEDIR)/log/bindery
	install -m 0755 $(BINDERY_BIN) $(DESTDIR)$(PREFIX)/bin/bindery
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/bindery/bindery.yaml ]; then \
	  echo "keeping $(DESTDIR)$(SYSCONFDIR)/bindery/bindery.yaml; the shipped one is bindery.yaml.new"; \
	  install -m 0640 conf/examples/production.yaml $(DESTDIR)$(SYSCONFDIR)/bindery/bindery.yaml.new; \
	else \
	  install -m 0640 conf/examples/production.yaml $(DESTDIR)$(SYSCONFDIR)/bindery/bindery.yaml; \
	fi
	sed -e 's|/usr/local/bin/bindery|$(PREFIX)/bin/bindery|g' -e 's|/etc/bindery/|$(SYSCONFDIR)/bindery/|g' \
	  -e 's|/var/lib/bindery|$(LOCALSTATEDIR)/lib/bindery|g' \
	  conf/systemd/bindery.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/bindery.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/bindery.service
	install -m 0644 conf/systemd/bindery.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/bindery.conf
	install -m 0644 conf/systemd/bindery.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/bindery
	install -m 0644 conf/monitoring/prometheus.yml conf/monitoring/alertmanager.yml \
	  $(DESTDIR)$(PREFIX)/share/bindery/monitoring/
	install -m 0644 conf/monitoring/rules/*.yml $(DESTDIR)$(PREFIX)/share/bindery/monitoring/rules/
	install -m 0644 conf/monitoring/grafana/*.json $(DESTDIR)$(PREFIX)/share/bindery/monitoring/grafana/
	install -m 0644 docs/operations.md docs/configuration.md docs/http-api.md $(DESTDIR)$(PREFIX)/share/doc/bindery/

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# clang-tidy with .clang-tidy (which checks, and why some are off) over the sources of smpp/,
# router/, http-frontend/, app/ and tools/ (their headers through HeaderFilterRegex), JOBS files
# at a time. Any warning is an error: the target fails. It needs only the test preset's compile
# database (configured, not built: clang's flags, which clang-tidy reads without complaint).
# clang-tidy's "N warnings generated." counts only what it suppressed in library headers: dropped.
# LINT_FILES narrows it, e.g. make lint LINT_FILES="app/gateway.cpp router/core/router.cpp".
LINT_FILES ?= $(shell git ls-files 'smpp/*.cpp' 'router/*.cpp' 'http-frontend/*.cpp' 'app/*.cpp' 'tools/*.cpp')
lint: deps
	cmake --preset test > /dev/null
	set -o pipefail; printf '%s\n' $(LINT_FILES) | \
	  xargs -r -n 1 -P $(JOBS) nice clang-tidy -p $(TEST_DIR) --quiet 2>&1 | \
	  { grep -v -E '^[0-9]+ warnings? generated\.$$' || true; }

# Long fuzzing runs (fuzz/run-long.sh): every target, or FUZZ_TARGETS="pdu_stream receipt", each
# for FUZZ_LONG_SECONDS with FUZZ_JOBS workers, in the `fuzz` preset's tree (clang -O2 + ASan +
# UBSan). The grown corpora stay in build/fuzz/work/ between runs.
FUZZ_LONG_SECONDS ?= 600
FUZZ_JOBS ?= $(JOBS)
FUZZ_TARGETS ?=
fuzz: deps
	cmake --preset fuzz > /dev/null
	cmake --build build/fuzz -j $(JOBS) --target $(addprefix fuzz_,$(or $(FUZZ_TARGETS),$(patsubst fuzz/%_fuzz.cpp,%,$(wildcard fuzz/*_fuzz.cpp))))
	bash fuzz/run-long.sh build/fuzz $(FUZZ_LONG_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

clean:
	rm -rf build
