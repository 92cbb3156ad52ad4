// The batcher's bounded FIFO queue and the request parser, without HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Batcher, parseScoreRequest, RequestError } from "../../src/serve/index.js";
import { tinyModel } from "../train/helpers.js";

test("Batcher: queued requests get their own rewards in input order; a full queue answers 503 at once", async () => {
  const model = tinyModel();
  try {
    const rows = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10], [11, 12]];
    const direct = await model.score(rows, { batchSize: 1, padTokenId: 0 });
    const b = new Batcher(model, { batchSize: 1, padTokenId: 0, maxQueue: 2 });
    const first = b.score(rows.slice(0, 3)), second = b.score(rows.slice(3));
    assert.equal(b.pending, 2);
    assert.throws(() => b.score(rows), (e: unknown) => e instanceof RequestError && e.status === 503 && /2 requests queued/.test(e.message));
    assert.deepEqual([...(await first), ...(await second)], [...direct]);
    await b.drain();
    assert.equal(b.pending, 0);
    assert.deepEqual([...(await b.score(rows))], [...direct]);
  } finally {
    await model.release();
  }
});

test("Batcher: a failing request does not block the ones queued after it", async () => {
  const model = tinyModel();
  try {
    const b = new Batcher(model, { batchSize: 4, padTokenId: 0, maxQueue: 4 });
    const bad = b.score([[1, 999]]), good = b.score([[1, 2]]);
    await assert.rejects(bad, /token id 999 is outside the vocabulary/);
    assert.equal((await good).length, 1);
  } finally {
    await model.release();
  }
});

test("parseScoreRequest: texts and pairs parse; each bad field is a 400 naming its JSON path", () => {
  assert.deepEqual(parseScoreRequest('{"texts": ["a", "b"]}'), { kind: "texts", texts: ["a", "b"] });
  assert.deepEqual(parseScoreRequest('{"pairs": [{"rejected": "r", "chosen": "c"}]}'), { kind: "pairs", pairs: [{ chosen: "c", rejected: "r" }] });
  const cases: [string, string | null, RegExp][] = [
    ["", null, /^body is not JSON/],
    ["null", null, /expected a JSON object, got null/],
    ['{"texts": [null]}', "texts[0]", /^texts\[0\]: expected a string, got null$/],
    ['{"texts": {"0": "a"}}', "texts", /got an object/],
    ['{"pairs": ["a"]}', "pairs[0]", /expected an object \{"chosen", "rejected"\}, got "a"/],
    ['{"pairs": [{"chosen": "a", "rejected": ["b"]}]}', "pairs[0].rejected", /got an array/],
    ['{"pairs": {}}', "pairs", /expected an array/],
    [`{"texts": [${JSON.stringify("x".repeat(100))}, 1]}`, "texts[1]", /got 1$/],
  ];
  for (const [body, field, msg] of cases) {
    assert.throws(() => parseScoreRequest(body), (e: unknown) => {
      assert.ok(e instanceof RequestError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.field, field, body);
      assert.match(e.message, msg);
      assert.deepEqual(Object.keys(e.body()).slice(0, 2), ["error", "field"]);
      return true;
    }, body);
  }
});
