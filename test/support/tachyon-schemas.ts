// The tachyon-protocol package's JSON schemas, read back out of its compiled validators (the package ships no .json files), for
// tests that generate messages from the schemas themselves.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type Schema = { [key: string]: unknown };

/** Every schema in the package by its `$id`. */
export function loadTachyonSchemas(): Map<string, Schema> {
  const file = createRequire(import.meta.url).resolve('tachyon-protocol/validators');
  const text = readFileSync(file, 'utf8');
  const schemas = new Map<string, Schema>();
  const start = /const schema\d+ = \{/g;
  for (let match = start.exec(text); match; match = start.exec(text)) {
    const open = match.index + match[0].length - 1;
    const json = text.slice(open, objectEnd(text, open));
    const schema = JSON.parse(json) as Schema;
    if (typeof schema.$id === 'string') schemas.set(schema.$id, schema);
  }
  return schemas;
}

/** Index just past the JSON object that opens at `open`. */
function objectEnd(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unterminated schema in the validators file');
}

export interface SchemaRef {
  schema: Schema;
  /** The `$id` that relative `$ref`s inside `schema` resolve against. */
  base: string;
}

export function resolveRef(schemas: Map<string, Schema>, ref: string, base: string): SchemaRef {
  const url = new URL(ref, base);
  const hash = url.hash;
  url.hash = '';
  const root = schemas.get(url.href);
  if (!root) throw new Error(`no schema ${url.href}`);
  let node: unknown = root;
  if (hash.length > 1) for (const part of hash.slice(2).split('/')) node = (node as Schema)[decodeURIComponent(part)];
  return { schema: node as Schema, base: url.href };
}
