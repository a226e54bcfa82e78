#!/usr/bin/env bash
# Writes data/kjv-subset/kjv-subset.txt: Genesis, Exodus, Psalms and Proverbs of the King James Version (1611,
# public domain), one verse per line, a blank line between chapters, verse references removed.
# Source: Debian's bible-kjv (`apt-get install -y bible-kjv`), whose `bible` program decodes the text of
# bible-kjv-text. Deterministic: running it twice gives the same file.
set -euo pipefail
command -v bible >/dev/null || { echo "needs Debian's bible-kjv: apt-get install -y bible-kjv" >&2; exit 1; }
out="$(dirname "$0")/../../data/kjv-subset/kjv-subset.txt"
for range in "gen1:1-exo40:38" "psa1:1-psa150:6" "pro1:1-pro31:31"; do
  bible -f "$range"
done | awk '
  { ref = $1; text = substr($0, length(ref) + 2)
    chapter = ref; sub(/:.*/, "", chapter)
    if (prev != "" && chapter != prev) print ""
    prev = chapter; print text }' > "$out"
echo "wrote $out: $(wc -c < "$out") bytes, $(wc -l < "$out") lines"
