// Keeps the layers honest: engine, hub → models → tokenizer/data → train → report/serve → cli. A file may import
// from its own layer or a lower one, never a higher one, and never another layer's internals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const RANK: Record<string, number> = { engine: 0, hub: 0, models: 1, tokenizer: 1, data: 2, train: 3, report: 4, serve: 4, eval: 4, cli: 5 };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("no layer imports a higher layer or another layer's internals", () => {
  const bad: string[] = [];
  for (const file of walk("src")) {
    const from = file.split(path.sep)[1] ?? "";
    if (!(from in RANK)) continue;
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/^(?:import|export)[^"']*["'](\.[^"']+)["']/gm)) {
      const target = path.normalize(path.join(path.dirname(file), m[1] as string));
      const parts = target.split(path.sep);
      const to = parts[1] ?? "";
      if (!(to in RANK) || to === from) continue;
      if ((RANK[to] as number) > (RANK[from] as number) || RANK[to] === RANK[from]) {
        bad.push(`${file}: imports ${m[1]} (${from} may not import ${to})`);
      } else if (parts.length > 3 || (parts[2] !== "index.js" && parts.length === 3)) {
        bad.push(`${file}: imports ${m[1]}, an internal of ${to}; import from src/${to}/index.js`);
      }
    }
  }
  assert.deepEqual(bad, []);
});
