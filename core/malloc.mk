# core/malloc.mk - libzslab-malloc: glibc's allocation interface (malloc, free,
# ..., free_aligned_sized) on one process-wide zslab instance, for LD_PRELOAD
# or for linking (core/malloc/, hosted code like core/platform/linux/).
#
#   libzslab-malloc.so   exports exactly the names in core/malloc/exports.map
#   libzslab-malloc.a    one relocatable object with the same names global and
#                        the core inside made local, so a program that links
#                        libzslab too gets no clash
#   zslab-malloc.pc      installed by `make install` (install-malloc)
#
# Targets: libzslab-malloc (in `make all`), check-malloc-exports and
# check-malloc-static (in `make check`), install-malloc (in `make install`).

DEPS += gcc binutils pkgconf

MALLOC_SONAME := libzslab-malloc.so.$(ZSLAB_SOVERSION)
MALLOC_SRCS := $(sort $(wildcard core/malloc/*.c))
MALLOC_OBJS := $(MALLOC_SRCS:%.c=$(OBJ)/%.o)
# The glibc semantics without the exported names: what the sanitizer tests
# link, since ASan interposes malloc itself.
MALLOC_LOGIC_OBJS := $(filter-out %/interpose.o,$(MALLOC_OBJS))
MALLOC_EXPORTS := core/malloc/exports.map
LIBZSLAB_MALLOC_SO := $(LIB)/libzslab-malloc.so.$(ZSLAB_VERSION)
LIBZSLAB_MALLOC_A := $(LIB)/libzslab-malloc.a
# -fno-builtin: the compiler must not treat the malloc we define as its
# builtin (no malloc+memset -> calloc folding, no assumptions about free).
MALLOC_FLAGS := -fPIC -fvisibility=hidden -fno-builtin -D_GNU_SOURCE -Icore/include

$(MALLOC_OBJS): $(OBJ)/%.o: %.c $(FLAGS_STAMP) core/malloc.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(COMPILE) $(MALLOC_FLAGS) -c $< -o $@

# -z nodelete: memory this library handed out outlives a dlclose().
$(LIBZSLAB_MALLOC_SO): $(MALLOC_OBJS) $(ZSLAB_OBJS) $(MALLOC_EXPORTS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -shared -Wl,-soname,$(MALLOC_SONAME) -Wl,--version-script=$(MALLOC_EXPORTS) \
		-Wl,-z,nodelete -Wl,--no-undefined -o $@ $(MALLOC_OBJS) $(ZSLAB_OBJS) -pthread
	$(Q)ln -sf $(@F) $(LIB)/$(MALLOC_SONAME)
	$(Q)ln -sf $(@F) $(LIB)/libzslab-malloc.so

# The exported names, from the version script.
MALLOC_EXPORT_NAMES := $(shell sed -n '/global:/,/local:/{s/global://; s/local://; s/;/ /g; p}' \
	$(MALLOC_EXPORTS))

$(LIBZSLAB_MALLOC_A): $(MALLOC_OBJS) $(ZSLAB_OBJS) $(MALLOC_EXPORTS)
	@mkdir -p $(@D) $(OBJ)/core/malloc
	$(say) AR $@
	$(Q)ld -r -o $(OBJ)/core/malloc/zslab-malloc.o $(MALLOC_OBJS) $(ZSLAB_OBJS)
	$(Q)objcopy $(addprefix --keep-global-symbol=,$(MALLOC_EXPORT_NAMES)) \
		$(OBJ)/core/malloc/zslab-malloc.o
	$(Q)rm -f $@ && ar rcs $@ $(OBJ)/core/malloc/zslab-malloc.o

.PHONY: libzslab-malloc
libzslab-malloc: $(LIBZSLAB_MALLOC_SO) $(LIBZSLAB_MALLOC_A)
ALL_TARGETS += libzslab-malloc

# ---- checks -----------------------------------------------------------------
# Both libraries define exactly the exported names; the .so imports nothing
# that is itself an allocator entry point or that needs __tls_get_addr (whose
# first call in a thread allocates).
.PHONY: check-malloc-exports
CHECK_TARGETS += check-malloc-exports
check-malloc-exports: $(LIBZSLAB_MALLOC_SO) $(LIBZSLAB_MALLOC_A)
	@core/malloc/check-exports $(LIBZSLAB_MALLOC_SO) $(LIBZSLAB_MALLOC_A) $(MALLOC_EXPORT_NAMES)

# cppcheck and clang-tidy over the shim, with the core's checks.
.PHONY: check-malloc-static
CHECK_TARGETS += check-malloc-static
check-malloc-static:
	@cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
		--error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
		-Icore/include -Icore/malloc -D_GNU_SOURCE $(MALLOC_SRCS)
	@mkdir -p $(O) && clang-tidy --quiet --warnings-as-errors='*' --checks='$(CORE_TIDY_CHECKS)' \
		$(MALLOC_SRCS) -- $(CSTD) -D_GNU_SOURCE -Icore/include -Icore/malloc \
		> $(O)/clang-tidy-malloc.log 2>&1 || { cat $(O)/clang-tidy-malloc.log; exit 1; }
	@echo "check-malloc-static: cppcheck and clang-tidy clean on core/malloc ($(words $(MALLOC_SRCS)) files)"

# ---- install ----------------------------------------------------------------
.PHONY: install-malloc
INSTALL_TARGETS += install-malloc
install-malloc: $(LIBZSLAB_MALLOC_SO) $(LIBZSLAB_MALLOC_A)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 $(LIBZSLAB_MALLOC_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIBZSLAB_MALLOC_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIBZSLAB_MALLOC_SO)) $(DESTDIR)$(LIBDIR)/$(MALLOC_SONAME)
	ln -sf $(notdir $(LIBZSLAB_MALLOC_SO)) $(DESTDIR)$(LIBDIR)/libzslab-malloc.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(ZSLAB_VERSION)|' \
		core/malloc/zslab-malloc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/zslab-malloc.pc
