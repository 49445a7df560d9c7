// Validates every response the e2e suite received (JSON lines recorded by tests/support/http_client.cpp
// when BELLA_RECORD_RESPONSES is set) against docs/openapi.yaml: the status must be documented for
// the operation, the content type must be one the spec gives for that status, and a JSON body must
// validate against its schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). Requests to paths the
// spec does not describe (routes of other rooms, deliberate 404s) are counted, not judged.
// Usage: node validate-responses.mjs openapi.yaml responses.jsonl
import fs from 'node:fs';
import yaml from 'js-yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [specFile, recordFile] = process.argv.slice(2);
if (!specFile || !recordFile) {
  console.error('usage: validate-responses.mjs openapi.yaml responses.jsonl');
  process.exit(2);
}
const spec = yaml.load(fs.readFileSync(specFile, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// The spec's components are one schema resource ('spec'); '#/components/...' references are
// rewritten to point into it. OpenAPI's example keywords are not JSON Schema: dropped.
const rewrite = (node) => {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'example' || k === 'examples') continue;
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `spec${v}` : rewrite(v);
    }
    return out;
  }
  return node;
};
ajv.addSchema(rewrite({ $id: 'spec', components: spec.components }), 'spec');

const deref = (obj) => {
  while (obj && obj.$ref) {
    const parts = obj.$ref.replace(/^#\//, '').split('/');
    obj = parts.reduce((o, p) => o[p], spec);
  }
  return obj;
};

const templates = Object.keys(spec.paths).map((p) => ({
  path: p,
  regex: new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
}));
const findPath = (path) => templates.find((t) => t.regex.test(path))?.path;

const validators = new Map();
const validatorFor = (key, schema) => {
  if (!validators.has(key)) validators.set(key, ajv.compile(rewrite(schema)));
  return validators.get(key);
};

const lines = fs.existsSync(recordFile) ? fs.readFileSync(recordFile, 'utf8').split('\n').filter(Boolean) : [];
let checked = 0;
let skipped = 0;
const failures = [];
const seen = new Set();
for (const line of lines) {
  const r = JSON.parse(line);
  const path = r.target.split('?')[0];
  const method = r.method.toLowerCase();
  const template = findPath(path);
  const where = `${r.method} ${r.target} -> ${r.status}`;
  if (!template) {
    skipped++;
    continue;
  }
  const op = spec.paths[template][method === 'head' ? 'get' : method];
  if (!op) {
    // The router's 405, and what the HTTP session answers before any routing (malformed HTTP,
    // oversized body or headers): generic to every path, described in info.description.
    if ([400, 405, 413, 431].includes(r.status)) { skipped++; continue; }
    failures.push(`${where}: no ${r.method} operation on ${template}`);
    continue;
  }
  checked++;
  seen.add(`${method} ${template}`);
  const response = deref(op.responses[String(r.status)] ?? op.responses.default);
  if (!response) {
    failures.push(`${where}: status ${r.status} is not documented for ${op.operationId}`);
    continue;
  }
  if (!response.content || method === 'head') {
    continue;
  }
  const type = (r.content_type || '').split(';')[0].trim();
  const media = response.content[type];
  if (!media) {
    failures.push(`${where}: content type '${type}' is not documented (${Object.keys(response.content).join(', ')})`);
    continue;
  }
  if (!/json/.test(type) || !media.schema) continue;
  let body;
  try {
    body = JSON.parse(r.body);
  } catch (e) {
    failures.push(`${where}: body is not JSON: ${r.body.slice(0, 200)}`);
    continue;
  }
  const validate = validatorFor(`${op.operationId} ${r.status} ${type}`, media.schema);
  if (!validate(body)) {
    failures.push(`${where}: ${ajv.errorsText(validate.errors)}\n    body: ${r.body.slice(0, 400)}`);
  }
}
console.log(`validate-responses: ${checked} responses checked against ${specFile} ` +
            `(${seen.size} operations), ${skipped} on undocumented paths, ${failures.length} failures`);
for (const f of failures) console.log(`  FAIL ${f}`);
if (lines.length === 0) {
  console.log('validate-responses: nothing recorded (was BELLA_RECORD_RESPONSES set for the e2e tests?)');
}
process.exit(failures.length ? 1 : 0);
