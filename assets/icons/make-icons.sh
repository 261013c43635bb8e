#!/usr/bin/env bash
# Re-render assets/icons/xc-avatar-<N>.png from assets/icon.svg.
# Requires rsvg-convert (Debian/Ubuntu: `apt-get install librsvg2-bin`;
# macOS: `brew install librsvg`).
set -euo pipefail
cd "$(dirname "$0")"
for n in 16 32 48 64 128 256 512; do
  rsvg-convert --width "$n" --height "$n" --format png \
    --output "xc-avatar-$n.png" ../icon.svg
done
echo "rendered: $(ls xc-avatar-*.png | tr '\n' ' ')"
