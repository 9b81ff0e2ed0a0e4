# Reliability targets (tests/RELIABILITY.md), included by the Makefile.
#
#   make test-reliability  the short run (part of make test): leak cycles,
#                          faults, threads, fork, signals, embedding,
#                          permissions, multiprocessing, fuzz replay
#   make test-long         the same, long: 1000 leak cycles etc. (not in
#                          make test; bounded: 900 s per program)
#   make fuzz              each Go fuzz target and the C libFuzzer target
#                          for FUZZTIME (default 20s) each
#   make test-sanitize     test-asan + test-valgrind:
#   make test-asan         the library built with go build -asan (its C
#                          layer with ASan+UBSan), the C tests and the
#                          reliability tests with -fsanitize=address,undefined
#   make test-valgrind     the C tests and reliability tests under memcheck,
#                          Go runtime noise suppressed, the C layer clean

REL_DIR     := tests/reliability
REL_BUILD   := $(BUILD)/reliability
REL_PROGS   := rel_leak rel_faults rel_threads rel_fork rel_perms rel_signals rel_signals_linked fuzz_batch
REL_CAPI_C  := capi/batch.c capi/pool.c capi/registry.c capi/errors.c capi/ring.c capi/sockops.c capi/fork.c
REL_DEPS    := $(REL_DIR)/common.h include/xdpkit.h
# libxdp and libbpf for the embedding test (installed by .ci/run).
REL_HAVE_XDP := $(shell test -e /usr/include/xdp/xsk.h && test -e /usr/include/bpf/bpf.h && echo yes)
ifeq ($(REL_HAVE_XDP),yes)
REL_PROGS   += rel_embed rel_embed_rev
endif
FUZZTIME    ?= 20s
CLANG       ?= clang

.PHONY: test-reliability test-long fuzz test-sanitize test-asan test-valgrind reliability-progs

reliability-progs: $(addprefix $(REL_BUILD)/,$(REL_PROGS))

test-reliability: lib reliability-progs
	./$(REL_DIR)/run.sh $(BUILD) short

test-long: lib reliability-progs
	./$(REL_DIR)/run.sh $(BUILD) long

# --- builds of the test programs: $(1) output dir, $(2) compile flags,
# $(3) link flags for the library.
define rel_rules
$(1)/reliability/%: $(REL_DIR)/%.c $(REL_DEPS) $(3)
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$< $(4) -lpthread
$(1)/reliability/rel_signals: $(REL_DIR)/rel_signals.c $(REL_DEPS)
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$< -ldl -lpthread
$(1)/reliability/rel_signals_linked: $(REL_DIR)/rel_signals.c $(REL_DEPS) $(3)
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$< $(4) -ldl -lpthread
$(1)/reliability/rel_embed: $(REL_DIR)/rel_embed.c $(REL_DEPS) $(3)
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$< $(4) -lxdp -lbpf -ldl
$(1)/reliability/rel_embed_rev: $(REL_DIR)/rel_embed.c $(REL_DEPS) $(3)
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$< -lxdp -lbpf $(4) -ldl
$(1)/reliability/fuzz_batch: $(REL_DIR)/fuzz_batch.c $(REL_CAPI_C) capi/internal.h include/xdpkit.h
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -Icapi -o $$@ $$< $(REL_CAPI_C) -lpthread
endef

$(eval $(call rel_rules,$(BUILD),$(CFLAGS) $(XCFLAGS),$(LIB),$(LDLIBS)))

# --- fuzzing -----------------------------------------------------------

FUZZ_GO := ./xsk:FuzzUmemConfigValidate ./xsk:FuzzSocketConfigValidate ./xsk:FuzzRingOps ./maps:FuzzSizeChecks

# libFuzzer is clang's compiler-rt (Debian: libclang-rt-N-dev): installed
# here when missing (root, apt); make test never needs it.
.PHONY: fuzz-deps valgrind-deps
fuzz-deps:
	@mkdir -p $(BUILD)
	@command -v $(CLANG) >/dev/null || { echo "fuzz: $(CLANG) is missing (apt-get install clang)" >&2; exit 1; }
	@if ! echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' | \
		$(CLANG) -fsanitize=fuzzer -x c - -o $(BUILD)/.fuzz-probe 2>/dev/null; then \
		v=$$($(CLANG) -dumpversion | cut -d. -f1); \
		echo "fuzz: libFuzzer is missing: apt-get install libclang-rt-$$v-dev"; \
		apt-get install -y -qq libclang-rt-$$v-dev || exit 1; \
	fi; rm -f $(BUILD)/.fuzz-probe

valgrind-deps:
	@command -v valgrind >/dev/null || { echo "test-valgrind: apt-get install valgrind"; apt-get install -y -qq valgrind; }

$(BUILD)/fuzz/fuzz_batch: $(REL_DIR)/fuzz_batch.c $(REL_CAPI_C) capi/internal.h include/xdpkit.h | fuzz-deps
	@mkdir -p $(dir $@)
	$(CLANG) -g -O1 -std=c11 -D_GNU_SOURCE -DXDPKIT_LIBFUZZER -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Iinclude -Icapi -o $@ $< $(REL_CAPI_C) -lpthread

fuzz: $(BUILD)/fuzz/fuzz_batch
	@for t in $(FUZZ_GO); do \
		echo "=== go fuzz $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		log=$(BUILD)/fuzz/$${t#*:}.log; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) $${t%%:*} >$$log 2>&1 || { cat $$log; exit 1; }; \
		grep 'execs:' $$log | tail -1; tail -1 $$log; \
	done
	@echo "=== libFuzzer fuzz_batch (C data path, ASan+UBSan) for $(FUZZTIME)"
	@mkdir -p $(BUILD)/fuzz/corpus
	@$(BUILD)/fuzz/fuzz_batch -max_total_time=$(patsubst %s,%,$(FUZZTIME)) -max_len=4096 -print_final_stats=1 \
		$(BUILD)/fuzz/corpus >$(BUILD)/fuzz/fuzz_batch.log 2>&1 || { tail -60 $(BUILD)/fuzz/fuzz_batch.log; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' $(BUILD)/fuzz/fuzz_batch.log

# --- sanitizers: ASan + UBSan ------------------------------------------

SAN_DIR    := $(BUILD)/sanitize
SAN_LIB    := $(SAN_DIR)/libxdpkit.so.0
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined $(filter-out -Werror,$(XCFLAGS))
SAN_LDLIBS := -L$(SAN_DIR) -lxdpkit -Wl,-rpath,$(abspath $(SAN_DIR))
SAN_ENV    := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 \
	      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# go build -asan: the cgo C files (capi/*.c) get -fsanitize=address and the
# Go runtime tells ASan about its heap; UBSan added through CGO_CFLAGS.
$(SAN_LIB): $(GOSRC)
	@mkdir -p $(SAN_DIR)
	CGO_ENABLED=1 CGO_CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=undefined" CGO_LDFLAGS="-fsanitize=undefined" \
		$(GO) build -asan -buildmode=c-shared -trimpath \
		-ldflags "-extldflags '-Wl,--version-script=$(abspath include/xdpkit.map) -Wl,-soname,$(SONAME)'" \
		-o $@ ./capi
	rm -f $(SAN_DIR)/libxdpkit.so.0.h
	ln -sf $(SONAME) $(SAN_DIR)/libxdpkit.so

$(SAN_DIR)/tests/%: tests/c/%.c include/xdpkit.h $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $< $(SAN_LDLIBS)

$(eval $(call rel_rules,$(SAN_DIR),$(SAN_CFLAGS),$(SAN_LIB),$(SAN_LDLIBS)))

# The Python test is left out: CPython is not built with ASan.
test-asan: $(addprefix $(SAN_DIR)/tests/,$(C_TESTS)) $(addprefix $(SAN_DIR)/reliability/,$(REL_PROGS) san_canary)
	@echo "=== ASan canary: an overflow inside the library's C layer must be reported"
	@$(SAN_ENV) $(SAN_DIR)/reliability/san_canary overflow >$(SAN_DIR)/canary.log 2>&1; \
		if grep -q 'heap-buffer-overflow' $(SAN_DIR)/canary.log && grep -q 'xdpkit_pool_alloc' $(SAN_DIR)/canary.log; then \
			echo "ok ASan reports a heap overflow in xdpkit_pool_alloc (capi/pool.c)"; \
		else echo "FAIL: ASan did not report the canary's overflow:"; cat $(SAN_DIR)/canary.log; exit 1; fi
	$(SAN_ENV) ./tests/c/run.sh $(SAN_DIR)
	$(SAN_ENV) XDPKIT_RELIABILITY_LIB=$(abspath $(SAN_LIB)) \
		XDPKIT_RELIABILITY_ONLY="fork_coverage fuzz_batch rel_leak rel_faults rel_threads rel_fork rel_signals_before rel_signals_after rel_signals_linked rel_embed rel_embed_rev rel_perms_unprivileged rel_perms_dropped" \
		./$(REL_DIR)/run.sh $(SAN_DIR) short

# --- valgrind memcheck -------------------------------------------------

VG_DIR := $(BUILD)/valgrind

test-valgrind: lib $(addprefix $(BUILD)/tests/,$(C_TESTS)) reliability-progs $(REL_BUILD)/san_canary | valgrind-deps
	./$(REL_DIR)/valgrind/run-valgrind.sh $(BUILD)

test-sanitize: test-asan test-valgrind
