# core/core.mk - the allocator: the freestanding core (core/src) plus the Linux
# platform (core/platform/linux) make libzslab (.a, .so, zslab.pc).
#
# Targets: libzslab (in `make all`), check-freestanding, check-static,
# check-exports (in `make check`), install-core (in `make install`).

DEPS += gcc clang binutils cppcheck clang-tidy pkgconf

ZSLAB_VERSION := 0.2.0
ZSLAB_SOVERSION := 0
ZSLAB_SONAME := libzslab.so.$(ZSLAB_SOVERSION)

CORE_SRCS := $(sort $(wildcard core/src/*.c core/src/*/*.c))
CORE_PLATFORM_SRCS := $(sort $(wildcard core/platform/linux/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(OBJ)/%.o)
CORE_PLATFORM_OBJS := $(CORE_PLATFORM_SRCS:%.c=$(OBJ)/%.o)
ZSLAB_OBJS := $(CORE_OBJS) $(CORE_PLATFORM_OBJS)
LIBZSLAB_A := $(LIB)/libzslab.a
LIBZSLAB_SO := $(LIB)/libzslab.so.$(ZSLAB_VERSION)

# -ffreestanding -fno-builtin keep gcc 12 and clang from turning byte loops
# into memset/memcpy calls; gcc before 10 did it anyway, hence the extra gcc
# flag (clang rejects it).  check-freestanding verifies the result with nm.
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo 1)
CORE_FREESTANDING_FLAGS := -ffreestanding -fno-builtin -fno-stack-protector \
	$(if $(CC_IS_CLANG),,-fno-tree-loop-distribute-patterns)
# One set of objects serves both libraries: position-independent, and only
# the ZSLAB_API functions of zslab.h are visible outside libzslab.so.  The
# Linux platform gives the core its thread slots to read inline
# (platform.h, ZSLAB_PLATFORM_INLINE_THREAD).
CORE_PLATFORM_DEFS := -DZSLAB_PLATFORM_INLINE_THREAD=1
CORE_LIB_FLAGS := -fPIC -fvisibility=hidden -Icore/include $(CORE_PLATFORM_DEFS)

$(CORE_OBJS): $(OBJ)/%.o: %.c $(FLAGS_STAMP) core/core.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(COMPILE) $(CORE_FREESTANDING_FLAGS) $(CORE_LIB_FLAGS) -c $< -o $@

$(CORE_PLATFORM_OBJS): $(OBJ)/%.o: %.c $(FLAGS_STAMP) core/core.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(COMPILE) $(CORE_LIB_FLAGS) -c $< -o $@

$(LIBZSLAB_A): $(ZSLAB_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBZSLAB_SO): $(ZSLAB_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -shared -Wl,-soname,$(ZSLAB_SONAME) -Wl,--no-undefined -o $@ $^ -pthread
	$(Q)ln -sf $(@F) $(LIB)/$(ZSLAB_SONAME)
	$(Q)ln -sf $(@F) $(LIB)/libzslab.so

.PHONY: libzslab
libzslab: $(LIBZSLAB_A) $(LIBZSLAB_SO)
ALL_TARGETS += libzslab

# ---- checks -----------------------------------------------------------------
.PHONY: check-freestanding check-static check-exports
CHECK_TARGETS += check-freestanding check-static check-exports

# Builds core/src alone (release and debug flags), then proves it includes
# only freestanding headers and references only the platform contract.
check-freestanding:
	@CC="$(CC)" CFLAGS="$(CSTD) $(WARNINGS) $(CORE_FREESTANDING_FLAGS) $(CORE_PLATFORM_DEFS)" \
		core/scripts/check-freestanding $(O)/check-freestanding

# cppcheck and clang-tidy over the core and the Linux platform.  Off:
# reserved-identifier (the house style's _zslab_* names), swappable and unused
# parameters, no-int-to-ptr (an allocator turns addresses into pointers by
# design), and the Annex K advice to replace snprintf/memcpy with *_s.
CORE_TIDY_CHECKS := -*,bugprone-*,clang-analyzer-*,performance-*,portability-*,misc-*,$\
-bugprone-reserved-identifier,-bugprone-easily-swappable-parameters,$\
-misc-unused-parameters,-misc-no-recursion,-performance-no-int-to-ptr,$\
-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
check-static:
	@cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
		--error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
		-Icore/include -Icore/src $(CORE_SRCS) $(CORE_PLATFORM_SRCS)
	@mkdir -p $(O) && clang-tidy --quiet --warnings-as-errors='*' --checks='$(CORE_TIDY_CHECKS)' \
		$(CORE_SRCS) $(CORE_PLATFORM_SRCS) -- $(CSTD) -Icore/include -Icore/src \
		> $(O)/clang-tidy.log 2>&1 || { cat $(O)/clang-tidy.log; exit 1; }
	@echo "check-static: cppcheck and clang-tidy clean on core/ ($(words $(CORE_SRCS) $(CORE_PLATFORM_SRCS)) files)"

# The symbols libzslab.so exports are exactly the functions zslab.h and the
# zone store's zstore.h declare.
check-exports: $(LIBZSLAB_SO)
	@core/scripts/check-exports $(LIBZSLAB_SO) core/include/zslab/zslab.h \
		core/include/zslab/zstore.h $(O)/check-exports

# ---- install ----------------------------------------------------------------
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
.PHONY: install-core
INSTALL_TARGETS += install-core
install-core: $(LIBZSLAB_A) $(LIBZSLAB_SO)
	install -d $(DESTDIR)$(INCLUDEDIR)/zslab $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 core/include/zslab/zslab.h core/include/zslab/zstore.h \
		core/include/zslab/zdev.h $(DESTDIR)$(INCLUDEDIR)/zslab/
	install -m 644 $(LIBZSLAB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIBZSLAB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIBZSLAB_SO)) $(DESTDIR)$(LIBDIR)/$(ZSLAB_SONAME)
	ln -sf $(notdir $(LIBZSLAB_SO)) $(DESTDIR)$(LIBDIR)/libzslab.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(ZSLAB_VERSION)|' core/zslab.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/zslab.pc
