// No import cycle anywhere under src-main, type-only imports included: a type-only back edge becomes a runtime cycle (undefined or TDZ
// errors under ESM) the day someone adds a value import along it, and a cycle means neither module can be read or tested alone.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../src-main');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The file a relative specifier names: `x.ts`, or `x/index.ts` for a folder. Package imports are not edges, nor data files. */
function resolveImport(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  // A JSON module imports nothing, so it can close no cycle; it must exist all the same.
  if (specifier.endsWith('.json') && existsSync(base)) return null;
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)} imports ${specifier}, which resolves to no file`);
}

/** Every import, `import type`, `export … from` and `import()` edge between files under src-main. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter((t): t is string => t !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The first cycle a depth-first walk meets, as a path that starts and ends at the same file; null when there is none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const done = new Set<string>();
  const onPath: string[] = [];
  const onPathSet = new Set<string>();
  // Iterative, so a deep chain cannot overflow the stack; each node is entered once, so the walk is bounded by the edge count.
  for (const start of graph.keys()) {
    if (done.has(start)) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    onPath.push(start);
    onPathSet.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = graph.get(top.node) ?? [];
      if (top.next < edges.length) {
        const target = edges[top.next++]!;
        if (onPathSet.has(target)) return [...onPath.slice(onPath.indexOf(target)), target];
        if (done.has(target)) continue;
        stack.push({ node: target, next: 0 });
        onPath.push(target);
        onPathSet.add(target);
      } else {
        stack.pop();
        onPath.pop();
        onPathSet.delete(top.node);
        done.add(top.node);
      }
    }
  }
  return null;
}

describe('import graph of src-main', () => {
  it('finds a cycle when there is one, type-only edges included', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []], ['c', ['a', 'b']]]))).toBeNull();
    const typeOnly = ts.preProcessFile("import type { A } from './a';\nexport { B } from './b';\nconst c = import('./c');", true, true);
    expect(typeOnly.importedFiles.map((f) => f.fileName)).toEqual(['./a', './b', './c']);
  });

  it('has no import cycle', () => {
    const files = sourceFiles(ROOT);
    const graph = importGraph(files);
    expect(files.length).toBeGreaterThan(50);
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => path.relative(ROOT, f)).join(' -> ') ?? 'no cycle').toBe('no cycle');
  });
});
