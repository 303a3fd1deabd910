// Parses an AsyncAPI document with the official parser (@asyncapi/parser: schema
// validation of the document, its message payload schemas, references, and the
// parser's built-in Spectral rules). Fails on any error; lists warnings.
// Usage: node validate.mjs openapi/asyncapi.json
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs ASYNCAPI_JSON');
  process.exit(2);
}
const severities = ['error', 'warning', 'info', 'hint'];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'), {
  source: file,
});
for (const d of diagnostics) {
  const at = d.path && d.path.length ? d.path.join('.') : '(document)';
  console.log(`${severities[d.severity] ?? d.severity}  ${d.code}  ${at}: ${d.message}`);
}
const count = (severity) => diagnostics.filter((d) => d.severity === severity).length;
console.log(
  `${file}: ${count(0)} errors, ${count(1)} warnings, ${count(2)} infos, ${count(3)} hints`,
);
if (!document || count(0) > 0) {
  process.exit(1);
}
const messages = document.allMessages().all().map((m) => m.name()).sort();
const operations = document.allOperations().all();
console.log(
  `${messages.length} messages (${messages.join(', ')}), ${operations.length} operations`,
);
