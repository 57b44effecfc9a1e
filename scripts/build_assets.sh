#!/bin/sh
# Rebuild the committed front-end files in static/ from frontend/ and the pinned npm packages.
# Usage: npm ci && npm run build   (or: sh scripts/build_assets.sh after npm ci)
# Output: static/css/application.css, static/js/*.js|*.mjs (+ source maps the minified files point at),
# static/assets/images/*. No fonts are copied: we use Arial (see frontend/application.scss).
set -eu
cd "$(dirname "$0")/.."

govuk=node_modules/govuk-frontend/dist/govuk
moj=node_modules/@ministryofjustice/frontend/moj
sass=node_modules/.bin/sass

if [ ! -x "$sass" ] || [ ! -d "$govuk" ] || [ ! -d "$moj" ]; then
  echo "Missing node_modules: run 'npm ci' first." >&2
  exit 1
fi

# Start from empty output folders so files the packages no longer ship do not linger.
rm -rf static/css static/js static/assets
mkdir -p static/css static/js static/assets/images

# --load-path=. because MOJ Frontend refers to GOV.UK Frontend as "node_modules/govuk-frontend/...".
# --quiet-deps hides Sass deprecation notices from the packages (MOJ's @warn about govuk-text-colour still shows).
"$sass" --load-path=. --style=compressed --no-source-map --quiet-deps \
  frontend/application.scss static/css/application.css

cp "$govuk/govuk-frontend.min.js" "$govuk/govuk-frontend.min.js.map" static/js/
cp "$moj/moj-frontend.min.js" "$moj/moj-frontend.min.js.map" static/js/
cp frontend/application.mjs static/js/application.mjs

# Images: the Royal Arms behind the footer's "Crown copyright" link and MOJ's component icons. The GOV.UK crown
# favicons and the GOV.UK and MOJ logos are left out: they brand services on GOV.UK or MOJ's own, not ours.
cp "$govuk/assets/images/govuk-crest.svg" static/assets/images/
cp "$moj"/assets/images/icon-* static/assets/images/
cp frontend/images/* static/assets/images/

if grep -q "@font-face" static/css/application.css; then
  echo "static/css/application.css declares a web font; GDS Transport must not be used here." >&2
  exit 1
fi
echo "Built static/css, static/js and static/assets."
