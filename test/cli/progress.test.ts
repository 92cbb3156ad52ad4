// Progress output: a bar redrawn in place on a TTY, plain periodic lines (and the last one) otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { progressReporter } from "../../src/cli/progress.js";

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = "";
  const stream = { isTTY, write: (s: string) => { out += s; return true; } } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

test("progress: a TTY gets one bar redrawn with \\r and a newline at the end", () => {
  const f = fakeStream(true);
  const report = progressReporter("scoring rows", f.stream);
  report(0, 4);
  report(2, 4);
  report(4, 4);
  const text = f.text();
  assert.equal(text.split("\r").length - 1, 3);
  assert.match(text, /scoring rows \[#{15}-{15}\] 2\/4/);
  assert.match(text, /\[#{30}\] 4\/4 {3}\n$/);
});

test("progress: a pipe gets lines, not carriage returns, and always the final count", () => {
  const f = fakeStream(false);
  const report = progressReporter("scoring rows", f.stream);
  report(0, 4);
  report(1, 4); // within 10 s of the first line: not printed
  report(4, 4);
  assert.ok(!f.text().includes("\r"));
  assert.deepEqual(f.text().trim().split("\n"), ["scoring rows: 0/4 (0%)", "scoring rows: 4/4 (100%)"]);
});
