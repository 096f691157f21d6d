import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The import graph of server/, read from the sources: value imports only (`import type` is
 * erased at compile time and cannot make a cycle at run time).
 */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?'(\.[^']+)'/gm)) {
    if (!match[1]) found.push(path.normalize(path.join(path.dirname(file), match[2].replace(/\.js$/, '.ts'))));
  }
  return found;
}

const files = sourceFiles('server');
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** The cycles of the graph (Tarjan's strongly connected components of more than one file, or a file importing itself). */
function cycles(): string[][] {
  let counter = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    order.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!order.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, order.get(next)!));
    }
    if (low.get(file) !== order.get(file)) return;
    const component: string[] = [];
    let member: string;
    do component.push((member = stack.pop()!));
    while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component);
  };
  for (const file of graph.keys()) if (!order.has(file)) visit(file);
  return found;
}

/**
 * Features from the bottom up: a feature builds on the features of lower layers and of its
 * own, never on a higher one. Reference data, then people and their mail, then the activity
 * that uses them, then the views over everything.
 */
const LAYERS = [
  ['lib'],
  ['templates', 'history', 'territories', 'vocabularies', 'suppressions', 'users', 'public', 'themes', 'organisations'],
  ['contacts', 'lists', 'subscriptions', 'memberships', 'segments', 'delivery'],
  ['news', 'newsletters', 'solicitations', 'imports', 'events', 'campaigns', 'clicks'],
  ['reports', 'dashboard', 'health', 'ops'],
];
const layerOf = (file: string): number | undefined => {
  const parts = file.split(path.sep);
  if (parts.length < 3) return undefined; // server/app.ts, routes.ts...: the wiring, above every feature
  const layer = LAYERS.findIndex((features) => features.includes(parts[1]));
  if (layer < 0) throw new Error(`${parts[1]} is in no layer of this test: place it`);
  return layer;
};
/** HTTP routes and public pages are the edge where features are put together. */
const isEdge = (file: string) => /\.(routes|pages?)\.ts$/.test(file);

describe('the import graph of server/', () => {
  it('has no cycle', () => {
    expect(cycles()).to.deep.equal([]);
  });

  it('never reaches into jobs/ (only the process wiring, server/runtime.ts, defines the jobs)', () => {
    const intoJobs = files.filter((file) => file !== path.join('server', 'runtime.ts') && graph.get(file)!.some((target) => target.startsWith(`jobs${path.sep}`)));
    expect(intoJobs).to.deep.equal([]);
  });

  it('has no feature importing a feature of a higher layer (routes and pages excepted)', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      if (from === undefined || isEdge(file)) continue;
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== undefined && to > from) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).to.deep.equal([]);
  });
});
