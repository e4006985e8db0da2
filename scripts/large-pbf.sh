#!/usr/bin/env bash
# Builds a large .osm.pbf (a "province extract") from generated villages, for measuring
# `import-osm FILE.osm.pbf --bbox …` on it (docs/osm-import.md, "Measured"). Needs osmium-tool.
#   scripts/large-pbf.sh OUT_DIR [COPIES]   (300 copies make about 100 MB)
set -euo pipefail
out="$1"; copies="${2:-300}"
lm="${LASTMETRE:-target/release/lastmetre}"
mkdir -p "$out/parts"
"$lm" generate --households 200000 --seed 1 --osm full --out "$out/village.osm" >/dev/null
for k in $(seq 0 $((copies - 1))); do
    # Each copy moved to its own cell of a grid 0.06° apart, with ids of its own.
    python3 - "$out/village.osm" "$out/parts/shifted.osm" "$k" <<'PY'
import re, sys
src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
dlon, dlat = 0.06 * (k % 20), 0.06 * (k // 20)
text = open(src).read()
text = re.sub(r'lat="([-0-9.]+)"', lambda m: 'lat="%.7f"' % (float(m.group(1)) + dlat), text)
text = re.sub(r'lon="([-0-9.]+)"', lambda m: 'lon="%.7f"' % (float(m.group(1)) + dlon), text)
open(dst, "w").write(text)
PY
    start=$((k * 10000000 + 1))
    osmium renumber -s "$start,$start,$start" "$out/parts/shifted.osm" -o "$out/parts/$k.osm.pbf" -O
done
rm "$out/parts/shifted.osm"
osmium merge "$out"/parts/*.osm.pbf -o "$out/province.osm.pbf" -O
rm -r "$out/parts"
ls -la "$out/province.osm.pbf"
