// Makes the page `redocly build-docs` wrote self-contained: its one remote resource, the Redoc
// bundle on Redocly's CDN, is replaced by the same version's bundle from node_modules (pinned in
// package-lock.json), inlined. Fails if any remote script, stylesheet or font is left, so
// docs/api.html works on a clinic's network with no internet (bella serves it at /docs/).
// Usage: node inline-redoc.mjs api.html
import fs from 'node:fs';
import { createRequire } from 'node:module';

const file = process.argv[2];
const require = createRequire(import.meta.url);
const bundlePath = require.resolve('redoc/bundles/redoc.standalone.js');
const version = JSON.parse(fs.readFileSync(require.resolve('redoc/package.json'), 'utf8')).version;
let html = fs.readFileSync(file, 'utf8');
const cdn = /<script src="https:\/\/cdn\.redocly\.com\/redoc\/v([^/]+)\/bundles\/redoc\.standalone\.js"><\/script>/;
const m = html.match(cdn);
if (!m) {
  console.error(`${file}: no Redoc CDN script tag found (did redocly change its template?)`);
  process.exit(1);
}
if (m[1] !== version) {
  console.error(`${file}: page wants Redoc ${m[1]} but node_modules has ${version}`);
  process.exit(1);
}
// "</script" inside the bundle would end the inline element early.
const bundle = fs.readFileSync(bundlePath, 'utf8').replace(/<\/script/gi, '<\\/script');
html = html.replace(cdn, () => `<script>/* Redoc ${version} (MIT), inlined */\n${bundle}\n</script>`);
const remote = html.match(/<(script|link|img|iframe)\b[^>]*\b(src|href)="(https?:)?\/\/[^"]*"/gi);
if (remote) {
  console.error(`${file}: remote resources left: ${remote.join(' ')}`);
  process.exit(1);
}
fs.writeFileSync(file, html);
console.log(`${file}: self-contained (${(html.length / 1024).toFixed(0)} KiB, Redoc ${version} inlined)`);
