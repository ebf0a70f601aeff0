# hellolab: builds the libraries and programs into bin/, runs the tests, installs what is missing.
#
# Layout convention (no Makefile edit needed to add code):
#   DIR/hello-*.c       a program: bin/hello-*       (DIR in core net tcp udp trace kernel view runner bench)
#   DIR/*.c (the rest)  a module of the static archive build/lib/libDIR.a
#   tests/unit/test_*.c a cmocka suite: build/tests/test_*
#   tests/integration/*.sh  an integration suite (exit 77 = skipped, reason printed)

VERSION    := 0.1.0
PYTHON     ?= /usr/bin/python3
BUILD      ?= build
BIN        ?= bin
V          ?= 0

# Compile on every core: make test builds both trees from scratch on a fresh clone. Not when
# clean is among the goals (make clean all would race); tests/run's suites get no job slots;
# a sub-make shares the top one's slots (setting -j again there makes make warn).
NPROC      := $(shell nproc 2>/dev/null || echo 1)
ifeq ($(filter clean,$(MAKECMDGOALS))$(MAKELEVEL),0)
MAKEFLAGS  += -j$(NPROC)
endif

CC         ?= cc
PKG_CONFIG ?= pkg-config
WARN       := -Wall -Wextra -Werror
CSTD       := -std=c11 -D_GNU_SOURCE
OPT        ?= -O2 -g
SAN        ?=
comma      := ,
SANFLAGS   := $(if $(SAN),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=all,)
INCLUDES   := -I. $(shell $(PKG_CONFIG) --cflags libpcap jansson 2>/dev/null)
CFLAGS     ?=
CPPFLAGS   += -DHELLO_VERSION='"$(VERSION)"'
ALL_CFLAGS := $(CSTD) $(WARN) $(OPT) $(SANFLAGS) $(INCLUDES) $(CPPFLAGS) $(CFLAGS) -MMD -MP
LDLIBS_ALL := $(shell $(PKG_CONFIG) --libs libpcap jansson 2>/dev/null || echo -lpcap -ljansson) -lpthread -lm
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ifeq ($(V),0)
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
else
Q =
say =
endif

# Libraries in link order: a program's own directory first, core last.
LIBDIRS    := runner bench tcp udp kernel view trace net core
lib_srcs    = $(filter-out $(1)/hello-%.c,$(wildcard $(1)/*.c))
lib_file    = $(BUILD)/lib/lib$(1).a
LIBS       := $(foreach d,$(LIBDIRS),$(if $(call lib_srcs,$(d)),$(call lib_file,$(d))))
PROG_SRCS  := $(foreach d,$(LIBDIRS),$(wildcard $(d)/hello-*.c))
PROGS      := $(patsubst %.c,$(BIN)/%,$(notdir $(PROG_SRCS)))
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(TESTLIB_SRCS))

DEPS_STAMP := $(BUILD)/.deps-ok

# Every target a person runs; `make help` lists them from their `## ` lines (make_help.sh checks both agree).
.PHONY: all help deps test test-unit test-integration check-asan lab repeat clean golden docs-svg docs-figures bench bench-smoke fuzz stress check-valgrind

## all: build every program into bin/ and the unit tests (the default)
all: $(PROGS) $(UNIT_TESTS)

## help: this list
help:
	@sed -n 's/^## \([^:]*\): /make \1|/p' $(firstword $(MAKEFILE_LIST)) | awk -F'|' '{ printf "%-22s %s\n", $$1, $$2 }'
	@echo 'make V=1               show full compiler command lines'

## deps: install missing Debian packages (root) or print the apt-get line
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/deps.sh
	$(Q)sh tools/deps.sh
	$(Q)mkdir -p $(@D) && touch $@

# Objects: one rule for every directory.
$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	$(call say,CC,$<)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# docs/trace.schema.json as C data (runner/lab_schema.h): hello-lab checks a lab's paths
# against it wherever the lab lives. od and sed only: the build needs no Python.
SCHEMA_C := $(BUILD)/gen/lab_schema.c
$(SCHEMA_C): docs/trace.schema.json
	$(call say,GEN,$@)mkdir -p $(@D)
	$(Q){ echo '/* $@: docs/trace.schema.json as bytes (Makefile; runner/lab_schema.h). */'; \
	  echo '#include "runner/lab_schema.h"'; echo 'const char lab_trace_schema[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0x00 };'; \
	  echo 'const size_t lab_trace_schema_len = sizeof lab_trace_schema - 1;'; } >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/gen/lab_schema.o: $(SCHEMA_C) | $(DEPS_STAMP)
	$(call say,CC,$<)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
lib_extra_runner := $(BUILD)/obj/gen/lab_schema.o

define lib_rule
$(call lib_file,$(1)): $(patsubst %.c,$(BUILD)/obj/%.o,$(call lib_srcs,$(1))) $(lib_extra_$(1))
	$$(call say,AR,$$@)mkdir -p $$(@D)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(if $(call lib_srcs,$(d)),$(eval $(call lib_rule,$(d)))))

define prog_rule
$(BIN)/$(basename $(notdir $(1))): $(BUILD)/obj/$(basename $(1)).o $(LIBS)
	$$(call say,LD,$$@)mkdir -p $$(@D)
	$(Q)$$(CC) $(SANFLAGS) -o $$@ $$< $(LIBS) $(LDLIBS_ALL)
endef
$(foreach p,$(PROG_SRCS),$(eval $(call prog_rule,$(p))))

# The unit tests' objects are made by a pattern chain: without this make deletes them after a
# fresh build, then remakes them on the next run (their .d files name them), which fails for
# a user who may not write to the build (make lab on a root's checkout).
.SECONDARY:

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB_OBJS) $(LIBS)
	$(call say,LD,$@)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIBS) $(LDLIBS_ALL) $(CMOCKA_LIBS)

# The suites: each prints its own time; tests/run prints the totals.
RUNENV = MAKEFLAGS= HELLO_BIN=$(abspath $(BIN)) HELLO_BUILD=$(abspath $(BUILD)) PYTHON=$(PYTHON)

## test: build and run every test suite, then the ASan+UBSan pass
test: all
	$(Q)$(RUNENV) bash tests/run unit integration
	$(Q)$(MAKE) --no-print-directory check-asan

## test-unit: the cmocka suites only
test-unit: all
	$(Q)$(RUNENV) bash tests/run unit

## test-integration: the integration suites only (tests/integration)
test-integration: all
	$(Q)$(RUNENV) bash tests/run integration

## check-asan: unit and integration suites under AddressSanitizer + UBSan (build/asan)
check-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin SAN=1 OPT='-O1 -g' all
	$(Q)MAKEFLAGS= HELLO_BIN=$(abspath build/asan/bin) HELLO_BUILD=$(abspath build/asan) PYTHON=$(PYTHON) \
	  HELLO_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  bash tests/run --label asan unit integration

## lab: build, then run the tcp-hello lab end to end (root: in a private namespace)
lab: all
	$(Q)bash tools/lab.sh

# `make repeat SUITE='trace_live.sh labs.sh' [N=20] [SAN=1] [BUSY=2]`: each suite N times, with
# BUSY CPU-bound loops running (a loaded CI machine), recorded in tests/repeat/results.jsonl
# (docs/testing.md's table: make docs-figures). SAN=1 builds and runs the ASan+UBSan tree, never into build/.
N    ?= 20
BUSY ?= 2
## repeat: SUITE='a.sh b.sh' [N=20] [SAN=1] [BUSY=2]: repeat suites on a busy machine
repeat:
	$(Q)test -n "$(SUITE)" || { echo "make repeat: name the suites, e.g. SUITE='trace_live.sh labs.sh'"; exit 2; }
ifneq ($(SAN),)
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin SAN=1 OPT='-O1 -g' all
	$(Q)PYTHON=$(PYTHON) bash tools/repeat.sh -n $(N) --busy $(BUSY) --san $(SUITE)
else
	$(Q)$(MAKE) --no-print-directory all
	$(Q)PYTHON=$(PYTHON) bash tools/repeat.sh -n $(N) --busy $(BUSY) $(SUITE)
endif

## clean: remove build/ and bin/
clean:
	rm -rf build bin

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Golden files (docs/testing.md): `golden` rebuilds the renderer fixtures, rewrites their expected
# outputs with hello-trace render and shows the diff; the tests only read them.
## golden: rewrite the renderer golden files (tests/render) and show the diff
golden: all
	$(Q)$(RUNENV) bash tests/render/regen.sh

# docs/ladder-*.svg: the committed example ladders, redrawn from fixed fixture traces on demand.
## docs-svg: redraw docs/ladder-*.svg from the fixture traces
docs-svg: $(BIN)/hello-trace
	$(Q)$(BIN)/hello-trace render tests/render/tcp-live/trace.json -o docs/ladder-tcp-hello.svg
	$(Q)$(BIN)/hello-trace render tests/render/udp-hello/trace.json -o docs/ladder-udp-hello.svg

# Benchmarks (docs/performance.md): `bench` writes bench/results.json, prints the table and rewrites
# the page's figure blocks (< 10 min; as root it installs redis-server); `bench-smoke` runs every
# mode tiny (also in make test). `docs-figures` rewrites every figure block of README.md and docs/
# from its committed saved output (tools/docfigures.py; docs_figures.sh checks them).
## docs-figures: rewrite every figure block of README.md and docs/ from its saved output
docs-figures:
	$(Q)$(PYTHON) tools/docfigures.py --write
## bench: measure servers, tracer and peers; bench/results.json and docs/performance.md
bench: all
	$(Q)$(RUNENV) bash tools/bench.sh
	$(Q)$(PYTHON) tools/docfigures.py --write docs/performance.md
## bench-smoke: every bench mode, tiny (also part of make test)
bench-smoke: all
	$(Q)$(RUNENV) bash tools/bench.sh --smoke --out $(abspath $(BUILD))/bench-smoke.json

# Hardening (docs/security.md): `fuzz` runs every libFuzzer harness FUZZ_SECONDS each (clang,
# built into build/fuzz/); `stress` the long hostile and tracer-under-fire suites (root);
# `check-valgrind` memcheck on the service programs and the offline tracer.
FUZZ_SECONDS ?= 600
## fuzz: every libFuzzer harness FUZZ_SECONDS (600) each
fuzz:
	$(Q)bash tools/fuzz.sh run $(FUZZ_SECONDS)
## stress: the long hostile and tracer-under-fire suites (root)
stress: all
	$(Q)$(RUNENV) bash tools/stress.sh
## check-valgrind: memcheck on the service programs and the offline tracer
check-valgrind: all
	$(Q)$(RUNENV) bash tests/hostile/valgrind.sh
