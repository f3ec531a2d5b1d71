#!/usr/bin/env bash
# make bench: druk at book scale, beside Pandoc and Typst on the same content (issue 6).
#
#   1. builds druk and the corpus generator in release;
#   2. generates book-300 and book-3000 into target/bench/ (once: regenerated only when the
#      generator's source changes);
#   3. times `druk build BOOK --format epub,pdf,screen-pdf` with hyperfine and measures
#      its peak memory with /usr/bin/time -v;
#   4. where installed, does the same for Pandoc -> EPUB 3 (--citeproc) and Typst -> PDF (the
#      PyPI typst package) on the same content, with fewer runs because they are slow;
#   5. prints a Markdown table with ratios and checks the issue's targets.
#
# Settings (environment):
#   BENCH_SIZES="300 3000"   which corpus sizes to run
#   BENCH_RUNS=10            hyperfine runs for druk (after 3 warm-up runs)
#   BENCH_ANCHOR_RUNS=3      hyperfine runs for Pandoc and Typst on book-300 (2 on book-3000)
#   BENCH_ANCHORS=1          0 skips Pandoc and Typst
#   BENCH_STRICT=0           1 exits with status 1 when a target is missed
#   BENCH_SCALING=1          0 skips the scaling table (input shapes at ×1, ×2, ×4, ×8)
#
# Results: target/bench/results/ (hyperfine JSON, /usr/bin/time logs, summary.md).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${BENCH_SIZES:-"300 3000"}
RUNS=${BENCH_RUNS:-10}
ANCHOR_RUNS=${BENCH_ANCHOR_RUNS:-3}
ANCHORS=${BENCH_ANCHORS:-1}
STRICT=${BENCH_STRICT:-0}
SCALING=${BENCH_SCALING:-1}
ROOT=target/bench
RESULTS=$ROOT/results
OUT=$ROOT/out
DRUK=./target/release/druk

if [ -t 2 ]; then
  say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
else
  say() { printf '==> %s\n' "$*" >&2; }
fi

# ---- tools ----------------------------------------------------------------------------------

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
missing=""
command -v hyperfine >/dev/null || missing="$missing hyperfine"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
  say "installing:$missing"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing
fi

have_pandoc=0
have_typst=0
if [ "$ANCHORS" = 1 ]; then
  command -v pandoc >/dev/null && have_pandoc=1
  python3 -c 'import typst' 2>/dev/null && have_typst=1
fi

say "building druk and the corpus generator (release)"
cargo build --release --quiet
cargo build --release --quiet --example corpus

# ---- corpus ---------------------------------------------------------------------------------

# The cache key is the generator's source: a changed generator means a different book.
hash=$(cat Cargo.toml benches/corpus/*.rs | sha256sum | cut -c1-16)
for size in $SIZES; do
  dir=$ROOT/book-$size
  if [ "$(cat "$dir/.corpus-hash" 2>/dev/null)" != "$hash" ]; then
    say "generating book-$size"
    ./target/release/examples/corpus --size "$size" --out "$dir"
    echo "$hash" >"$dir/.corpus-hash"
  else
    say "book-$size is up to date ($dir)"
  fi
done
mkdir -p "$RESULTS" "$OUT"

# ---- measuring ------------------------------------------------------------------------------

# peak_mib NAME COMMAND: runs COMMAND once under /usr/bin/time -v; prints the peak RSS in MiB.
peak_mib() {
  local log=$RESULTS/$1.time
  /usr/bin/time -v -o "$log" bash -c "$2" >/dev/null 2>&1 || {
    echo "error: \`$2\` failed; see $log" >&2
    return 1
  }
  awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log"
}

# stat NAME FIELD: a statistic (median, min, max) in seconds from hyperfine's JSON export.
stat() {
  grep -o "\"$2\": *[0-9.e+-]*" "$RESULTS/$1.json" | head -1 | awk -F': *' '{ print $2 }'
}
median() { stat "$1" median; }
# cpu NAME: mean user + system time of the runs; less disturbed by other load than wall time.
cpu() { awk -v u="$(stat "$1" user)" -v s="$(stat "$1" system)" 'BEGIN { printf "%.2f s", u + s }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# range NAME: "min–max" of the runs, to show how noisy the machine was.
range() { awk -v a="$(stat "$1" min)" -v b="$(stat "$1" max)" 'BEGIN { printf "%.2f–%.2f s", a, b }'; }

# measure NAME WARMUP RUNS COMMAND: peak memory first (that run warms the caches too), then time.
measure() {
  local name=$1 warmup=$2 runs=$3 cmd=$4
  say "$name: peak memory (/usr/bin/time -v)"
  peak_mib "$name" "$cmd" >"$RESULTS/$name.peak"
  say "$name: wall time (hyperfine, $warmup warm-up, $runs runs)"
  hyperfine --style basic --warmup "$warmup" --runs "$runs" \
    --command-name "$name" --export-json "$RESULTS/$name.json" "$cmd" >&2
}

load_start=$(loadavg)
rows=()        # tool|size|median s|min–max|cpu|peak MiB|runs|druk median for the ratio
declare -A druk_s druk_mib

for size in $SIZES; do
  book=$ROOT/book-$size
  abs=$(cd "$book" && pwd)
  # druk: an edition's release build, EPUB and both PDFs from one run.
  rm -rf "$OUT/druk-$size"
  measure "druk-$size" 3 "$RUNS" "$DRUK build $book --format epub,pdf,screen-pdf --out $OUT/druk-$size"
  formats="EPUB + print PDF + screen PDF"
  druk_s[$size]=$(median "druk-$size")
  druk_mib[$size]=$(cat "$RESULTS/druk-$size.peak")
  rows+=("druk ($formats)|book-$size|${druk_s[$size]}|$(range "druk-$size")|$(cpu "druk-$size")|${druk_mib[$size]}|$RUNS|${druk_s[$size]}")

  # An author's preview: one chapter, with the numbers and references of the whole book.
  if [ "$size" = 300 ]; then
    rm -rf "$OUT/druk-chapter"
    measure "druk-chapter" 3 "$RUNS" "$DRUK build $book --chapter 3 --format epub --out $OUT/druk-chapter"
    druk_chapter=$(median druk-chapter)
    rows+=("druk --chapter 3 (EPUB)|book-300|$druk_chapter|$(range druk-chapter)|$(cpu druk-chapter)|$(cat "$RESULTS/druk-chapter.peak")|$RUNS|${druk_s[$size]}")
  fi

  # The anchors are slow; book-3000 gets two runs and no warm-up besides the memory run.
  if [ "$size" = 300 ]; then a_runs=$ANCHOR_RUNS; a_warm=1; else a_runs=2; a_warm=0; fi
  if [ "$have_pandoc" = 1 ]; then
    measure "pandoc-$size" "$a_warm" "$a_runs" \
      "cd $abs/pandoc && exec pandoc book.md --citeproc -N -o $PWD/$OUT/pandoc-$size.epub"
    rows+=("Pandoc $(pandoc --version | head -1 | cut -d' ' -f2) → EPUB 3|book-$size|$(median "pandoc-$size")|$(range "pandoc-$size")|$(cpu "pandoc-$size")|$(cat "$RESULTS/pandoc-$size.peak")|$a_runs|${druk_s[$size]}")
  fi
  if [ "$have_typst" = 1 ]; then
    measure "typst-$size" "$a_warm" "$a_runs" \
      "cd $abs/typst && exec python3 -c \"import typst; typst.compile('book.typ', output='$PWD/$OUT/typst-$size.pdf')\""
    tv=$(python3 -c 'import importlib.metadata as m; print(m.version("typst"))')
    rows+=("Typst → PDF (PyPI typst $tv)|book-$size|$(median "typst-$size")|$(range "typst-$size")|$(cpu "typst-$size")|$(cat "$RESULTS/typst-$size.peak")|$a_runs|${druk_s[$size]}")
  fi
done

# ---- report ---------------------------------------------------------------------------------

summary=$RESULTS/summary.md
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
    "$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); $(uname -sr)"
  echo "druk $(git describe --always --dirty 2>/dev/null || echo '?'); $(hyperfine --version);" \
    "load average at start: $load_start, at end: $(loadavg)"
  echo
  echo "| tool | size | median wall | min–max | CPU (user+sys) | peak RSS | runs | time ÷ druk's |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for r in "${rows[@]}"; do
    IFS='|' read -r tool size s spread cpu mib runs base <<<"$r"
    awk -v t="$tool" -v z="$size" -v s="$s" -v w="$spread" -v c="$cpu" -v m="$mib" -v n="$runs" -v b="$base" \
      'BEGIN { printf "| %s | %s | %.3f s | %s | %s | %d MiB | %d | %.1f× |\n", t, z, s, w, c, m, n, s / b }'
  done
  if [ "$have_pandoc" = 0 ] || [ "$have_typst" = 0 ]; then
    echo
    if [ "$ANCHORS" != 1 ]; then
      echo "Pandoc and Typst rows skipped: BENCH_ANCHORS=$ANCHORS."
    else
      if [ "$have_pandoc" = 0 ]; then
        echo "Pandoc row skipped: pandoc is not installed (apt-get install -y pandoc)."
      fi
      if [ "$have_typst" = 0 ]; then
        echo "Typst row skipped: the typst Python package is not installed (pip install typst)."
      fi
    fi
  fi
} >"$summary"

# target LABEL VALUE LIMIT UNIT [le]: met when VALUE < LIMIT (<= with "le"), with the margin.
missed=0
target() {
  local label=$1 value=$2 limit=$3 unit=$4 cmp=${5:-lt}
  local line
  line=$(awk -v a="$label" -v v="$value" -v l="$limit" -v u="$unit" -v c="$cmp" 'BEGIN {
    ok = (c == "le") ? v <= l : v < l
    sp = (u == "×") ? "" : " "
    printf "%s|- %s: %.3g%s%s (target %s %g%s%s): **%s**, %.0f%% of the limit\n",
      ok ? "met" : "missed", a, v, sp, u, (c == "le") ? "≤" : "<", l, sp, u, ok ? "met" : "missed", 100 * v / l
  }')
  if [ "${line%%|*}" = missed ]; then missed=$((missed + 1)); fi
  echo "${line#*|}"
}
ratio_target() { # LABEL ANCHOR_NAME MIN_RATIO: druk must be at least MIN× faster than the anchor.
  local anchor
  anchor=$(median "$2")
  awk -v a="$1" -v x="$anchor" -v d="${druk_s[300]}" -v m="$3" \
    'BEGIN { r = x / d; printf "- %s: druk %.2f× faster (target ≥ %d×): **%s**\n", a, r, m, (r >= m ? "met" : "missed") }'
  if awk -v x="$anchor" -v d="${druk_s[300]}" -v m="$3" 'BEGIN { exit !(x / d < m) }'; then
    missed=$((missed + 1))
  fi
}
{
  echo
  echo "Targets of issue 6:"
  if [ -n "${druk_s[300]:-}" ]; then
    target "book-300 wall time" "${druk_s[300]}" 0.5 s
    target "book-300 peak memory" "${druk_mib[300]}" 150 MiB
    if [ -n "${druk_chapter:-}" ]; then target "book-300, one chapter (--chapter 3)" "$druk_chapter" 0.1 s; fi
    if [ "$have_typst" = 1 ]; then ratio_target "book-300 vs Typst → PDF" typst-300 10; fi
    if [ "$have_pandoc" = 1 ]; then ratio_target "book-300 vs Pandoc → EPUB" pandoc-300 5; fi
  fi
  if [ -n "${druk_s[3000]:-}" ]; then
    target "book-3000 wall time" "${druk_s[3000]}" 5 s
    target "book-3000 peak memory" "${druk_mib[3000]}" 1024 MiB
  fi
  if [ -n "${druk_s[300]:-}" ] && [ -n "${druk_s[3000]:-}" ]; then
    growth=$(awk -v a="${druk_s[3000]}" -v b="${druk_s[300]}" 'BEGIN { print a / b }')
    target "growth book-300 → book-3000" "$growth" 11 × le
  fi
} >>"$summary"

# ---- scaling --------------------------------------------------------------------------------
# Each input shape of benches/shapes.py at ×1, ×2, ×4 and ×8: the whole build (every format)
# once under /usr/bin/time, the best of three. Linear cost means ×8 takes about 8 times ×1 (less
# where a fixed start-up cost dominates ×1); the target allows 12 (1.5 × linear).
if [ "$SCALING" = 1 ]; then
  say "scaling: input shapes at ×1, ×2, ×4, ×8"
  {
    echo
    echo "Scaling (every format, best of 3 runs; time and peak RSS at ×2, ×4, ×8 relative to ×1):"
    echo
    echo "| shape | ×1 | ×2 | ×4 | ×8 | ×1 peak | ×8 peak | time ×8 ÷ ×1 | memory ×8 ÷ ×1 |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  } >>"$summary"
  for shape in sections paragraph footnotes markers bibliography; do
    declare -A t=() m=()
    for k in 1 2 4 8; do
      dir=$ROOT/shape-$shape-$k
      rm -rf "$dir" "$OUT/shape"
      python3 benches/shapes.py "$shape" "$k" "$dir"
      best=""
      for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$RESULTS/shape.time" "$DRUK" build "$dir" --out "$OUT/shape" \
          >/dev/null 2>&1 || { say "shape $shape ×$k failed"; cat "$RESULTS/shape.time"; }
        read -r sec kb <"$RESULTS/shape.time"
        if [ -z "$best" ] || awk -v a="$sec" -v b="$best" 'BEGIN { exit !(a < b) }'; then
          best=$sec
          m[$k]=$kb
        fi
      done
      t[$k]=$best
    done
    growth=$(awk -v a="${t[8]}" -v b="${t[1]}" 'BEGIN { print a / (b > 0.01 ? b : 0.01) }')
    mgrowth=$(awk -v a="${m[8]}" -v b="${m[1]}" 'BEGIN { print a / b }')
    awk -v s="$shape" -v a="${t[1]}" -v b="${t[2]}" -v c="${t[4]}" -v d="${t[8]}" \
      -v ma="${m[1]}" -v md="${m[8]}" -v g="$growth" -v mg="$mgrowth" \
      'BEGIN { printf "| %s | %.2f s | %.2f s | %.2f s | %.2f s | %d MiB | %d MiB | %.1f | %.1f |\n",
        s, a, b, c, d, ma / 1024, md / 1024, g, mg }' >>"$summary"
    target "scaling of $shape, time ×8 ÷ ×1" "$growth" 12 × le >>"$summary.targets"
    target "scaling of $shape, memory ×8 ÷ ×1" "$mgrowth" 12 × le >>"$summary.targets"
    unset t m
  done
  { echo; cat "$summary.targets"; } >>"$summary"
  rm -f "$summary.targets"
fi

echo
cat "$summary"
echo
echo "(hyperfine JSON, /usr/bin/time logs and this summary: $RESULTS/)"
if [ "$STRICT" = 1 ] && [ "$missed" -gt 0 ]; then
  exit 1
fi
