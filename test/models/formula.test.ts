// The weight formula (FORMULA.md): its 10 test vectors, then every parameter of the three reference models —
// names, shapes and order against expected.json, and each parameter's checksum.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { checksumF32, fmix32, fnv1a32, formulaHash, formulaKind, formulaValues, formulaWeights } from "../../src/models/formula.js";
import { modelDefFor } from "../../src/models/registry.js";
import { fixtureDir, MODELS, readExpected } from "./fixtures.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

test("fnv1a32 and fmix32 known values", () => {
  assert.equal(fnv1a32(utf8("")), 0x811c9dc5);
  assert.equal(fnv1a32(utf8("a")), 0xe40c292c);
  assert.equal(fnv1a32(utf8("foobar")), 0xbf9cf968);
  assert.equal(fmix32(0), 0);
});

test("the 10 test vectors of FORMULA.md", () => {
  const vectors = readExpected("gpt2-tiny").settings.weights.test_vectors;
  assert.equal(vectors.length, 10);
  for (const v of vectors) {
    assert.equal(formulaHash(fnv1a32(utf8(v.name)), v.index), v.x_uint32, `${v.name}[${v.index}] x`);
    assert.equal(formulaKind(v.name), v.kind, v.name);
    const all = formulaValues(v.name, new Float32Array(v.index + 1));
    assert.equal(all[v.index], v.float32, `${v.name}[${v.index}]`);
    const bits = new Uint32Array(all.buffer, v.index * 4, 1)[0] as number;
    assert.equal(`0x${bits.toString(16).padStart(8, "0")}`, v.float32_bits);
  }
});

for (const m of MODELS) {
  test(`${m}: parameter list (HF names, shapes, order) and every checksum match expected.json`, () => {
    const file = path.join(fixtureDir(m), "config.json");
    const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const def = modelDefFor(raw, file);
    const specs = def.params(def.parseConfig(raw, file));
    const exp = readExpected(m).params;
    assert.deepEqual(specs.map((s) => [s.name, s.shape]), Object.entries(exp).map(([k, v]) => [k, v.shape]));
    const w = formulaWeights(specs);
    for (const s of specs) {
      const e = exp[s.name];
      assert.ok(e);
      assert.equal(checksumF32(w.get(s.name)), e.checksum_fnv1a32, `checksum of ${s.name}`);
      e.samples.index.forEach((i, k) => assert.equal(w.get(s.name)[i], e.samples.value[k], `${s.name}[${i}]`));
    }
    assert.equal(w.numel, Object.values(exp).reduce((a, v) => a + v.shape.reduce((x, y) => x * y, 1), 0));
  });
}
