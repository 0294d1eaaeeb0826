import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', 'src');

/** Every .ts file under src (the browser script has its own build), with the relative modules it imports, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = (fs.readdirSync(SRC, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts') && !file.startsWith(`dashboard${path.sep}browser`));
  for (const file of files) {
    const full = path.join(SRC, file);
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(full, 'utf8'), true, false);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => path.resolve(path.dirname(full), name))
      .flatMap((base) => [`${base}.ts`, path.join(base, 'index.ts')].filter((candidate) => fs.existsSync(candidate)).slice(0, 1));
    graph.set(full, targets);
  }
  return graph;
}

/** The cycles a depth-first walk meets, each as the files around it (relative to src). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'closed'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') found.push(stack.slice(stack.indexOf(target)).map((f) => path.relative(SRC, f)));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'closed');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('the modules of src', () => {
  it('import each other without a cycle (type-only imports count too)', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get(path.join(SRC, 'server.ts'))).toContain(path.join(SRC, 'pipeline', 'stages.ts'));
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const a = path.join(SRC, 'a.ts');
    const b = path.join(SRC, 'b.ts');
    expect(cycles(new Map([[a, [b]], [b, [a]]]))).toEqual([['a.ts', 'b.ts']]);
  });
});
