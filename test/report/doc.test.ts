import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildDoc, collectRun, type Cell } from "../../src/report/index.js";
import { tempDir } from "./fixtures.js";

function run(info: Record<string, unknown>): string {
  const dir = tempDir("doc");
  writeFileSync(path.join(dir, "run.json"), JSON.stringify(info));
  return dir;
}

function table(doc: ReturnType<typeof buildDoc>, id: string): readonly (readonly Cell[])[] {
  for (const s of doc.sections) for (const b of s.blocks) if (b.kind === "table" && b.id === id) return b.rows;
  throw new Error(`no table ${id}`);
}

test("model details list model_type once", () => {
  const doc = buildDoc([collectRun(run({ name: "g", model_type: "gpt2", config: { model_type: "gpt2", n_embd: 64 } }))]);
  const labels = table(doc, "details-g").map((r) => r[0]?.text);
  assert.equal(labels.filter((l) => l === "model_type").length, 1);
  assert.deepEqual(table(doc, "details-g").find((r) => r[0]?.text === "model_type")?.[1]?.text, "gpt2");
  assert.ok(labels.includes("n_embd"));
});

test("a FLOPs kind recorded as 0 shows 0; only a missing or null kind is not recorded", () => {
  const g = run({ name: "g", flops_per_token: { total: 100, by_kind: { mlp: 100, projections: 0, head: null } } });
  const o = run({ name: "o", flops_per_token: { total: 150, by_kind: { mlp: 100, projections: 40, head: 10 } } });
  const rows = table(buildDoc([collectRun(g), collectRun(o)]), "flops");
  const cell = (kind: string, i: number): Cell | undefined => rows.find((r) => r[0]?.text === kind)?.[i];
  assert.equal(cell("projections", 1)?.text, "0");
  assert.equal(cell("projections", 1)?.value, 0);
  assert.equal(cell("head", 1)?.text, "not recorded");
  assert.equal(cell("projections", 2)?.text, "40");
});
