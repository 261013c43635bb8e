#!/usr/bin/env bash
# Re-render assets/icons/xc-avatar-<N>.png from assets/icon.svg.
# Also xc-avatar.ico (16-256 px, embedded in xc-avatar.exe by build.rs). The macOS .icns is made
# from the SVG at packaging time (scripts/package).
# Requires rsvg-convert (Debian/Ubuntu: `apt-get install librsvg2-bin`;
# macOS: `brew install librsvg`) and ImageMagick for the .ico.
set -euo pipefail
cd "$(dirname "$0")"
for n in 16 32 48 64 128 256 512; do
  rsvg-convert --width "$n" --height "$n" --format png \
    --output "xc-avatar-$n.png" ../icon.svg
done
convert xc-avatar-16.png xc-avatar-32.png xc-avatar-48.png xc-avatar-64.png \
  xc-avatar-128.png xc-avatar-256.png xc-avatar.ico
echo "rendered: $(printf '%s ' xc-avatar-*.png)"
