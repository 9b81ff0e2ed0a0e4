# xdpkit — build, test, demo, install.
#   make            build everything and run the veth demo
#   make test       run every test suite (needs root)
#   make install    install library, headers and pkg-config file (PREFIX=/usr/local)

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
GO      ?= go
CC      ?= gcc
CXX     ?= g++
BUILD   := build
SONAME  := libxdpkit.so.0
LIB     := $(BUILD)/libxdpkit.so
CFLAGS  ?= -O2 -g
XCFLAGS := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude
LDLIBS  := -L$(BUILD) -lxdpkit -Wl,-rpath,$(abspath $(BUILD))
GOSRC   := $(shell find xsk capi internal maps prog bpf -name '*.go' -o -name '*.c' -o -name '*.h') include/xdpkit.h include/xdpkit.map go.mod go.sum
C_EXAMPLES := rxdrop txonly l2fwd cpumap_rr queue_stack af_xdp_user
C_TESTS    := test_xsk test_panic test_maps test_pool

.PHONY: all lib header-check examples demo test test-go test-c test-compat check-ldd check-generate install clean generate

all: lib header-check examples cli demo

lib: $(LIB)

# The xdpkit command-line tool (pure Go).
.PHONY: cli
cli: $(BUILD)/xdpkit

$(BUILD)/xdpkit: $(GOSRC) $(shell find cmd -name '*.go')
	@mkdir -p $(BUILD)
	CGO_ENABLED=0 $(GO) build -o $(BUILD)/xdpkit ./cmd/xdpkit

$(LIB): $(GOSRC)
	@mkdir -p $(BUILD)
	CGO_ENABLED=1 $(GO) build -buildmode=c-shared -trimpath \
		-ldflags "-extldflags '-Wl,--version-script=$(abspath include/xdpkit.map) -Wl,-soname,$(SONAME)'" \
		-o $(BUILD)/$(SONAME) ./capi
	rm -f $(BUILD)/libxdpkit.so.0.h $(BUILD)/libxdpkit.so.h
	ln -sf $(SONAME) $(LIB)

# The header must compile clean as C11 and as C++.
header-check: $(BUILD)/header-check.stamp
$(BUILD)/header-check.stamp: include/xdpkit.h tests/c/header_check.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude -c tests/c/header_check.c -o $(BUILD)/header_check_c.o
	$(CXX) -x c++ -std=c++11 -Wall -Wextra -Werror -Iinclude -c tests/c/header_check.c -o $(BUILD)/header_check_cxx.o
	touch $@

examples: $(addprefix $(BUILD)/examples/,$(C_EXAMPLES)) $(BUILD)/examples/rxdrop_go

$(BUILD)/examples/%: examples/c/%.c examples/c/common.h include/xdpkit.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/examples/rxdrop_go: $(GOSRC) $(shell find examples/go -name '*.go')
	@mkdir -p $(dir $@)
	CGO_ENABLED=0 $(GO) build -o $@ ./examples/go/rxdrop

demo: examples
	./scripts/demo.sh $(BUILD)/examples

$(BUILD)/tests/%: tests/c/%.c tests/c/common.h include/xdpkit.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $< $(LDLIBS)

test: lib header-check examples check-ldd check-generate test-go test-c test-compat test-map-examples test-rust test-python test-reliability

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

test-c: $(addprefix $(BUILD)/tests/,$(C_TESTS))
	./tests/c/run.sh $(BUILD)

# The map and program examples against traffic between two namespaces.
.PHONY: test-map-examples
test-map-examples: examples
	./scripts/run-map-examples.sh $(BUILD)

# A libxdp-style AF_XDP program builds unchanged against include/xdpkit/xsk.h.
test-compat: $(LIB) examples
	./tests/compat/run.sh $(BUILD)

# Rust bindings (bindings/rust): tests against the real kernel in network
# namespaces (root), then clippy. CARGO_HOME's bin is where rustup puts cargo.
CARGO ?= $(shell command -v cargo 2>/dev/null || echo $(HOME)/.cargo/bin/cargo)
.PHONY: test-rust
test-rust: lib
	cd bindings/rust && XDPKIT_LIB_DIR=$(abspath $(BUILD)) $(CARGO) test --locked
	cd bindings/rust && XDPKIT_LIB_DIR=$(abspath $(BUILD)) $(CARGO) clippy --locked --all-targets -- -D warnings

# Python bindings (bindings/python): pytest against the real kernel in
# network namespaces (root), using the library just built.
PYTHON ?= python3
.PHONY: test-python python-wheel
test-python: lib
	XDPKIT_LIBRARY=$(abspath $(LIB)) $(PYTHON) -m pytest -q bindings/python/tests

# A wheel that carries the library as xdpkit/libxdpkit.so (copied in for
# the build only: never kept in git, nor left to shadow build/ in-tree).
python-wheel: lib
	cp $(BUILD)/$(SONAME) bindings/python/xdpkit/libxdpkit.so
	$(PYTHON) -m pip wheel --no-deps -w $(abspath $(BUILD))/wheels ./bindings/python; \
		rc=$$?; rm -rf bindings/python/xdpkit/libxdpkit.so bindings/python/build bindings/python/xdpkit.egg-info; exit $$rc

# Benchmarks (root; not part of test): every implementation against libxdp
# on a veth pair, interleaved, then micro-benchmarks; writes
# bench/results/<date>-<kernel>.md. See bench/README.md for the variables.
BENCH_DURATION ?= 5
BENCH_RUNS     ?= 3
BENCH_CASES    ?= default
BENCH_IMPLS    ?= default
.PHONY: bench
bench: lib examples cli
	CC=$(CC) CARGO=$(CARGO) ./bench/prepare.sh $(BUILD)
	$(GO) build -o $(BUILD)/bench/xdpbench ./bench
	$(BUILD)/bench/xdpbench -build $(BUILD) -go $(GO) -python $(PYTHON) -duration $(BENCH_DURATION) \
		-runs $(BENCH_RUNS) -cases '$(BENCH_CASES)' -impls '$(BENCH_IMPLS)'

check-ldd: $(LIB)
	./scripts/check-lib.sh $(LIB)

generate:
	$(GO) generate ./...

# The committed BPF objects must be what the sources build to (CI has clang).
check-generate:
	@if ! command -v clang >/dev/null; then \
		if [ "$$CI" = true ]; then echo "check-generate: clang missing in CI" >&2; exit 1; fi; \
		echo "check-generate: skipped (no clang)"; exit 0; fi; \
	$(GO) generate ./... && git diff --exit-code --stat -- '*_bpfel.o' '*_bpfeb.o' '*_bpfel.go' '*_bpfeb.go' && echo "check-generate: committed BPF objects are up to date"

$(BUILD)/xdpkit.pc: xdpkit.pc.in
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|' $< > $@

install: $(LIB) $(BUILD)/xdpkit.pc $(BUILD)/xdpkit
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/xdpkit $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libxdpkit.so
	install -m 0644 include/xdpkit.h $(DESTDIR)$(INCDIR)/xdpkit.h
	install -m 0644 include/xdpkit/xsk.h $(DESTDIR)$(INCDIR)/xdpkit/xsk.h
	install -m 0644 $(BUILD)/xdpkit.pc $(DESTDIR)$(LIBDIR)/pkgconfig/xdpkit.pc
	install -m 0755 $(BUILD)/xdpkit $(DESTDIR)$(PREFIX)/bin/xdpkit

clean:
	rm -rf $(BUILD)

# Reliability: test-reliability (in test), test-long, fuzz, test-sanitize
# (test-asan, test-valgrind); see tests/RELIABILITY.md.
include tests/reliability/reliability.mk
