# The two commands of the README. Each does all set-up on a fresh Debian 12 machine.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
CTEST_JOBS ?= 2

.PHONY: run test setup build bench clean stop status screenshots

run: build
	@$(BUILD_DIR)/bin/standby daemon start >/dev/null
	@$(BUILD_DIR)/bin/standby daemon status | sed -n 's/.*"endpoint":"\([^"]*\)".*/Standby daemon running.\n  API endpoint: \1\/api\/v1\n  Web UI:       \1\//p'
	@echo "  CLI:          $(BUILD_DIR)/bin/standby --help    (stop: $(BUILD_DIR)/bin/standby daemon stop)"

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(CTEST_JOBS)

setup:
	@./scripts/setup-deps.sh

build: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD_DIR)

bench: build
	@mkdir -p bench/results
	@{ echo "# Standby benchmarks"; echo; echo "Machine: $$(nproc) cores, $$(free -g | awk '/Mem:/{print $$2}') GB, $$(uname -sr); $$(date -u '+%Y-%m-%d %H:%M UTC')"; echo; \
	   echo '```'; python3 bench/daemon_lifecycle.py --bin $(BUILD_DIR)/bin; echo; \
	   python3 bench/sessions.py --bin $(BUILD_DIR)/bin; echo; \
	   python3 bench/logs.py --bin $(BUILD_DIR)/bin; echo; \
	   python3 bench/metrics.py --bin $(BUILD_DIR)/bin; echo '```'; } | tee bench/results/latest.md

# The web UI's pictures in docs/images, taken by its end-to-end test (1280x800, dark, phone).
screenshots: build
	node tests/e2e/web_ui.mjs --bin $(BUILD_DIR)/bin --web resources/web --screenshots docs/images

status:
	@$(BUILD_DIR)/bin/standby daemon status

stop:
	@$(BUILD_DIR)/bin/standby daemon stop

clean:
	rm -rf $(BUILD_DIR)
