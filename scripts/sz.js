// Lines per source file, sorted, with totals per layer (after tinygrad's sz.py). Usage: npm run sz
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}
const rows = walk("src").map((f) => {
  const lines = readFileSync(f, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("//"));
  return { f, n: lines.length };
});
rows.sort((a, b) => b.n - a.n);
for (const r of rows) console.log(`${String(r.n).padStart(6)}  ${r.f}${r.n > 300 ? "   (over 300)" : ""}`);
const layers = new Map();
for (const r of rows) {
  const layer = r.f.split(path.sep)[1] ?? "";
  layers.set(layer, (layers.get(layer) ?? 0) + r.n);
}
console.log("");
for (const [l, n] of [...layers].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(6)}  src/${l}`);
console.log(`${String(rows.reduce((s, r) => s + r.n, 0)).padStart(6)}  total`);
