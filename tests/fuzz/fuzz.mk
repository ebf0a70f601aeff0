# tests/fuzz/fuzz.mk: builds the libFuzzer harnesses with clang into build/fuzz/ (run by tools/fuzz.sh).
# The library sources are compiled again here with clang and coverage instrumentation, so
# the gcc build in build/ and bin/ is never touched.
VERSION    ?= 0.1.0
FUZZ_CC    ?= clang
PKG_CONFIG ?= pkg-config
OUT        ?= build/fuzz
comma      := ,
SAN        := -fsanitize=address$(comma)undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
BASE       := -std=c11 -D_GNU_SOURCE -g -O1 -I. $(shell $(PKG_CONFIG) --cflags libpcap jansson 2>/dev/null) \
              -DHELLO_VERSION='"$(VERSION)"' -MMD -MP
LIBFLAGS   := $(BASE) -Wall -Wextra $(SAN) -fsanitize=fuzzer-no-link
HFLAGS     := $(BASE) -Wall -Wextra -Werror $(SAN) -fsanitize=fuzzer-no-link
LDLIBS     := $(shell $(PKG_CONFIG) --libs libpcap jansson 2>/dev/null || echo -lpcap -ljansson) -lm -lpthread

LIBDIRS    := view kernel trace core
lib_srcs    = $(filter-out $(1)/hello-%.c,$(wildcard $(1)/*.c))
LIBS       := $(foreach d,$(LIBDIRS),$(OUT)/lib/lib$(d).a)
HARNESSES  := $(patsubst tests/fuzz/%.c,$(OUT)/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all
.SECONDARY:
all: $(HARNESSES)

$(OUT)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	@echo "  CLANG  $<"
	@$(FUZZ_CC) $(HFLAGS) -c -o $@ $<

$(OUT)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CLANG  $<"
	@$(FUZZ_CC) $(LIBFLAGS) -c -o $@ $<

define lib_rule
$(OUT)/lib/lib$(1).a: $(patsubst %.c,$(OUT)/obj/%.o,$(call lib_srcs,$(1)))
	@mkdir -p $$(@D)
	@rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(eval $(call lib_rule,$(d))))

$(OUT)/fuzz_%: $(OUT)/obj/tests/fuzz/fuzz_%.o $(LIBS)
	@echo "  LINK   $@"
	@$(FUZZ_CC) $(SAN) -fsanitize=fuzzer -o $@ $< $(LIBS) $(LDLIBS)

-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)
