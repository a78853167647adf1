#!/usr/bin/env bash
# Writes public/fonts/svg-fonts.css: the @font-face rules that exported SVGs
# (and the PNGs drawn from them) carry inline, so an image looks the same
# wherever it is opened. DejaVu Sans, regular and bold, subset to Latin-1,
# general punctuation and arrows, as WOFF2 in data: URLs. DejaVu Sans is
# the font the layout's label widths were measured in (core::layout).
#
# Needs fonttools and brotli (pip install fonttools brotli) and Debian's
# fonts-dejavu-core. The output is committed; run this only to change it.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/truetype/dejavu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=public/fonts/svg-fonts.css
{
  echo "/* DejaVu Sans (Bitstream Vera licence, public/fonts/LICENSE), subset by scripts/svg-fonts.sh. */"
  for pair in "DejaVuSans 400" "DejaVuSans-Bold 700"; do
    set -- $pair
    pyftsubset "$src/$1.ttf" --output-file="$tmp/$1.woff2" --flavor=woff2 \
      --unicodes="U+0020-007E,U+00A0-00FF,U+2010-2027,U+2030-203A,U+2190-2193,U+2212" \
      --layout-features='kern,liga' --name-IDs='*' --no-hinting 2>/dev/null
    printf "@font-face{font-family:'WS DejaVu Sans';font-weight:%s;src:url(data:font/woff2;base64,%s) format('woff2')}\n" \
      "$2" "$(base64 -w0 "$tmp/$1.woff2")"
  done
} > "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
