// Generates TypeScript types for every WebSocket frame from openapi/asyncapi.json's
// payload schemas, with json-schema-to-typescript: `ServerMessage` (a union of every
// frame the server sends) and `ClientMessage` (every frame a client may send), plus
// one type per schema (`ReadyFrame`, `MessageCreatedEvent`, `Message`, …). The two
// unions come from the document's operations (`send` / `receive`), so a new frame
// type reaches them with nothing to edit here.
// Usage: node frame-types.mjs openapi/asyncapi.json OUT.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node frame-types.mjs ASYNCAPI_JSON OUT_TS');
  process.exit(2);
}
const document = JSON.parse(readFileSync(input, 'utf8'));
const localRef = (ref) => ref.replace('#/components/schemas/', '#/definitions/');

// Rewrites every `$ref` to the `definitions` of the one schema compiled below.
const rewrite = (node) => {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' ? localRef(value) : rewrite(value),
    ]),
  );
};

const payloads = (action) =>
  Object.values(document.operations)
    .filter((operation) => operation.action === action)
    .map((operation) => {
      const key = operation.messages[0].$ref.split('/').pop();
      return { $ref: localRef(document.components.messages[key].payload.$ref) };
    });

const definitions = rewrite(document.components.schemas);
definitions.ServerMessage = {
  title: 'ServerMessage',
  description: 'Any frame the server sends on /api/v1/ws, discriminated by `type`.',
  oneOf: payloads('send'),
};
definitions.ClientMessage = {
  title: 'ClientMessage',
  description: 'Any frame a client may send on /api/v1/ws, discriminated by `type`.',
  oneOf: payloads('receive'),
};
const root = {
  title: 'ConfabFrames',
  type: 'object',
  additionalProperties: false,
  properties: {
    server: { $ref: '#/definitions/ServerMessage' },
    client: { $ref: '#/definitions/ClientMessage' },
  },
  definitions,
};
const ts = await compile(root, 'ConfabFrames', {
  bannerComment: `/* Generated from ${input} by .ci/asyncapi/frame-types.mjs; do not edit. */`,
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: true,
  format: false,
});
writeFileSync(output, ts);
console.log(`${output}: ${ts.split('\n').length} lines from ${Object.keys(definitions).length} schemas`);
