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
C_EXAMPLES := rxdrop txonly l2fwd
C_TESTS    := test_xsk

.PHONY: all lib header-check examples demo test test-go test-c test-compat check-ldd check-generate install clean generate

all: lib header-check examples demo

lib: $(LIB)

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

$(BUILD)/tests/%: tests/c/%.c include/xdpkit.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $< $(LDLIBS)

test: lib header-check examples check-ldd check-generate test-go test-c test-compat

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

test-c: $(addprefix $(BUILD)/tests/,$(C_TESTS))
	./tests/c/run.sh $(BUILD)

# A libxdp-style AF_XDP program builds unchanged against include/xdpkit/xsk.h.
test-compat: $(LIB) examples
	./tests/compat/run.sh $(BUILD)

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

install: $(LIB) $(BUILD)/xdpkit.pc
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/xdpkit
	install -m 0755 $(BUILD)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libxdpkit.so
	install -m 0644 include/xdpkit.h $(DESTDIR)$(INCDIR)/xdpkit.h
	install -m 0644 include/xdpkit/xsk.h $(DESTDIR)$(INCDIR)/xdpkit/xsk.h
	install -m 0644 $(BUILD)/xdpkit.pc $(DESTDIR)$(LIBDIR)/pkgconfig/xdpkit.pc

clean:
	rm -rf $(BUILD)
