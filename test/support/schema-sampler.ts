// Generates messages from JSON schemas (the subset the Tachyon schemas use), and mutates them, for fuzz tests. Seeded: a failing
// run can be replayed with the same seed.
import { resolveRef, type Schema, type SchemaRef } from './tachyon-schemas';

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['alice', 'bob', '[ABC]carol', 'Ω', '日本', 'x y', 'a;b', '106.0', 'Duel', 'Red Comet'];

export class SchemaSampler {
  constructor(private readonly schemas: Map<string, Schema>, private readonly random: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A value the schema accepts (nearly always: anyOf branches may overlap with oneOf rules; callers validate). */
  sample(ref: SchemaRef, depth = 0): unknown {
    let { schema, base } = ref;
    if (typeof schema.$ref === 'string') {
      const target = resolveRef(this.schemas, schema.$ref, base);
      schema = target.schema;
      base = target.base;
    }
    if (typeof schema.$id === 'string') base = schema.$id;
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum)) return this.pick(schema.enum);
    const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
    if (branches) return this.sample({ schema: { ...withoutKeys(schema, ['anyOf', 'oneOf']), ...this.pick(branches) }, base }, depth);
    if (Array.isArray(schema.allOf)) {
      // Each part may sit under another base (a $ref): sample the parts one by one and merge the objects.
      const parts = (schema.allOf as Schema[]).map((part) => this.sample({ schema: part, base }, depth));
      return Object.assign({}, ...parts.filter((p) => p && typeof p === 'object')) as unknown;
    }
    const type = Array.isArray(schema.type) ? this.pick(schema.type as string[]) : (schema.type as string | undefined) ?? (schema.properties ? 'object' : 'string');
    switch (type) {
      case 'object': return this.object(schema, base, depth);
      case 'array': return this.array(schema, base, depth);
      case 'string': return this.string(schema);
      case 'integer': return this.number(schema, true);
      case 'number': return this.number(schema, false);
      case 'boolean': return this.chance(0.5);
      case 'null': return null;
      default: return null;
    }
  }

  private object(schema: Schema, base: string, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set((schema.required ?? []) as string[]);
    for (const [key, sub] of Object.entries(properties)) {
      if (required.has(key) || (depth < 6 && this.chance(0.6))) out[key] = this.sample({ schema: sub, base }, depth + 1);
    }
    const patterns = (schema.patternProperties ?? {}) as Record<string, Schema>;
    for (const [pattern, sub] of Object.entries(patterns)) {
      const keys = this.int(0, 2);
      for (let i = 0; i < keys; i++) {
        const key = /^\^\[a-zA-Z0-9_-\]\$$/.test(pattern) ? this.pick(['a', 'b', '_', '9']) : this.pick(['mode', 'key_1', 'Ω']);
        out[key] = this.sample({ schema: sub, base }, depth + 1);
      }
    }
    return out;
  }

  private array(schema: Schema, base: string, depth: number): unknown[] {
    const min = (schema.minItems as number | undefined) ?? 0;
    const max = Math.min((schema.maxItems as number | undefined) ?? min + 4, min + 4);
    const length = depth > 6 ? min : this.int(min, max);
    const items = (schema.items ?? {}) as Schema;
    if (schema.uniqueItems) {
      const resolved = typeof items.$ref === 'string' ? resolveRef(this.schemas, items.$ref, base) : { schema: items, base };
      if (Array.isArray(resolved.schema.enum)) {
        // Every subset of an enum is possible, in any order (roles: several at once is what the real server sends).
        return shuffled(resolved.schema.enum as unknown[], this.random).slice(0, Math.min(length, resolved.schema.enum.length));
      }
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (let i = 0; i < length * 3 && out.length < length; i++) {
        const value = this.sample({ schema: items, base }, depth + 1);
        const key = JSON.stringify(value);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(value);
        }
      }
      return out;
    }
    return Array.from({ length }, () => this.sample({ schema: items, base }, depth + 1));
  }

  private string(schema: Schema): string {
    const max = (schema.maxLength as number | undefined) ?? 64;
    switch (schema.format) {
      case 'uuid': return uuid(this.random);
      case 'ipv4': return this.pick(['127.0.0.1', '10.1.2.3', '192.0.2.7']);
      case 'ipv6': return this.pick(['::1', '2001:db8::7']);
      case 'regex': return this.pick(['^a', 'win(ner)?', '.*']);
      default: break;
    }
    if (schema.pattern === '^[a-fA-F0-9]{128}$') return Array.from({ length: 128 }, () => this.pick([...'0123456789abcdef'])).join('');
    if (schema.pattern === '^[0-9a-zA-Z .+-]+$') return this.pick(['106.0', '105.1.1-2590-gb9462a0 BAR105', 'test']);
    if (Array.isArray(schema.examples) && this.chance(0.5)) return String(this.pick(schema.examples));
    const text = this.chance(0.3) ? String(this.int(1, 99_999)) : this.pick(WORDS);
    return text.slice(0, max) || 'a';
  }

  private number(schema: Schema, integer: boolean): number {
    const min = (schema.minimum as number | undefined) ?? (schema.exclusiveMinimum !== undefined ? (schema.exclusiveMinimum as number) + 1 : 0);
    const max = (schema.maximum as number | undefined) ?? (this.chance(0.2) ? 2 ** 40 : min + 5_000);
    const value = min + this.random() * (max - min);
    return integer ? Math.floor(value) : value;
  }
}

/** Every path to a value inside `value`, for mutations to aim at. */
export function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      pathsOf(child, path, out);
    }
  }
  return out;
}

export function setAt(root: unknown, path: readonly (string | number)[], next: unknown, remove = false): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    Object.defineProperty(node, last, { value: next, enumerable: true, writable: true, configurable: true });
  }
}

function withoutKeys(schema: Schema, keys: string[]): Schema {
  const out: Schema = { ...schema };
  for (const key of keys) delete out[key];
  return out;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) + 8)).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
