import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import {
  ConsoleSink, crc32c, encodeEvent, formatDuration, JsonlSink, maskedCrc32c, MultiSink, readMetricsJsonl,
  readTensorboardEvents, TensorboardSink, tensorboardTag,
} from "../../src/train/index.js";

const tmp = (): string => mkdtempSync(path.join(tmpdir(), "rl-log-"));

test("crc32c test vectors (RFC 3720) and TFRecord masking", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const c = 0xe3069283;
  assert.equal(maskedCrc32c(new TextEncoder().encode("123456789")), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

test("Event protobuf bytes, field by field", () => {
  assert.deepEqual([...encodeEvent({ wallTime: 0, step: 1, fileVersion: "a" })],
    [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01, 0x1a, 0x01, 0x61]);
  // step 300 = varint ac 02; Summary{ Value{ tag "t", simple_value 1.0f } }
  assert.deepEqual([...encodeEvent({ wallTime: 0, step: 300, values: [{ tag: "t", simpleValue: 1 }] })],
    [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0xac, 0x02, 0x2a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 0x74, 0x15, 0, 0, 0x80, 0x3f]);
});

test("HF TensorBoardCallback tags", () => {
  assert.equal(tensorboardTag("loss"), "train/loss");
  assert.equal(tensorboardTag("eval_accuracy"), "eval/accuracy");
  assert.equal(tensorboardTag("train_runtime"), "train/train_runtime");
});

test("TensorBoard events are written and read back with both CRCs checked", () => {
  const dir = tmp();
  let t = 1700000000.25;
  const sink = new TensorboardSink(dir, () => t);
  assert.equal(path.basename(sink.file), `events.out.tfevents.1700000000.${hostname()}`);
  t += 1;
  sink.write(10, { loss: 0.693, learning_rate: 5e-5 }, "train");
  t += 1;
  sink.write(10, { eval_accuracy: 0.75, eval_loss: 0.6 }, "eval");
  sink.close();
  const events = readTensorboardEvents(sink.file);
  assert.equal(events.length, 3);
  assert.deepEqual(events[0], { wallTime: 1700000000.25, step: 0, fileVersion: "brain.Event:2" });
  assert.deepEqual(events[1], { wallTime: 1700000001.25, step: 10, values: [
    { tag: "train/loss", simpleValue: Math.fround(0.693) }, { tag: "train/learning_rate", simpleValue: Math.fround(5e-5) }] });
  assert.deepEqual(events[2]?.values?.map((v) => v.tag), ["eval/accuracy", "eval/loss"]);

  const bytes = readFileSync(sink.file);
  const corrupt = Buffer.from(bytes);
  corrupt[bytes.length - 6] = (corrupt[bytes.length - 6] as number) ^ 0x01; // inside the last record's data
  const bad = path.join(dir, "corrupt.tfevents");
  writeFileSync(bad, corrupt);
  assert.throws(() => readTensorboardEvents(bad), /record 2 .*data CRC mismatch/);
  writeFileSync(bad, bytes.subarray(0, bytes.length - 3));
  assert.throws(() => readTensorboardEvents(bad), /truncated data/);
  const badLen = Buffer.from(bytes);
  badLen[0] = (badLen[0] as number) ^ 0x01;
  writeFileSync(bad, badLen);
  assert.throws(() => readTensorboardEvents(bad), /record 0 .*length CRC mismatch/);
});

test("metrics.jsonl: one line per log, step first, NaN as null, resume truncates later steps", () => {
  const dir = tmp();
  const sink = new JsonlSink(dir);
  sink.write(10, { epoch: 0.5, loss: 0.69, grad_norm: NaN }, "train");
  sink.write(10, { eval_loss: 0.7, eval_accuracy: 0.5 }, "eval");
  sink.write(20, { epoch: 1, loss: 0.6 }, "train");
  sink.close();
  const text = readFileSync(path.join(dir, "metrics.jsonl"), "utf8");
  assert.equal(text.split("\n")[0], '{"step":10,"epoch":0.5,"loss":0.69,"grad_norm":null}');
  assert.equal(readMetricsJsonl(path.join(dir, "metrics.jsonl")).length, 3);
  writeFileSync(path.join(dir, "metrics.jsonl"), `${text}{"step":30,"lo`); // a half-written line from a kill
  const resumed = new JsonlSink(dir, { resumeFromStep: 10 });
  resumed.write(20, { loss: 0.5 }, "train");
  resumed.close();
  const rows = readMetricsJsonl(path.join(dir, "metrics.jsonl"));
  assert.deepEqual(rows.map((r) => [r.step, r.loss ?? r.eval_loss]), [[10, 0.69], [10, 0.7], [20, 0.5]]);
  assert.ok(Number.isNaN(rows[0]?.grad_norm));
});

class Capture {
  out = "";
  constructor(readonly isTTY: boolean, readonly columns?: number) {}
  write(s: string): boolean {
    this.out += s;
    return true;
  }
}

test("console without a TTY: a plain line per log and per eval, with ETA", () => {
  let t = 100;
  const stream = new Capture(false);
  const sink = new ConsoleSink({ totalSteps: 100, stream, now: () => t });
  sink.progress(0);
  t = 110;
  sink.progress(10); // no output off a TTY
  assert.equal(stream.out, "");
  sink.write(10, { loss: 0.69312, pairs_per_second: 4 }, "train");
  sink.write(10, { eval_accuracy: 0.625 }, "eval");
  sink.close();
  assert.equal(stream.out, "step 10/100: loss 0.6931, pairs_per_second 4 eta 1m30s\neval  step 10: eval_accuracy 0.6250\n");
});

test("console on a TTY: one bar redrawn in place", () => {
  let t = 0;
  const stream = new Capture(true, 200);
  const sink = new ConsoleSink({ totalSteps: 40, stream, now: () => t });
  sink.progress(0);
  t = 20;
  sink.write(10, { loss: 0.5, pairs_per_second: 2 }, "train");
  assert.equal(sink.barLine(), `${"█".repeat(6)}${"░".repeat(18)} 10/40 | loss 0.5000 | 2.0 pairs/s | ETA 1m00s`);
  sink.write(10, { eval_loss: 0.25 }, "eval");
  sink.close();
  assert.ok(stream.out.startsWith("\r\x1b[2K"));
  assert.ok(stream.out.includes("\r\x1b[2Keval  step 10: eval_loss 0.2500\n"));
  assert.ok(stream.out.endsWith("\n"));
  assert.equal(stream.out.split("\n").length, 3); // eval line, bar + final newline
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(9), "9s");
});

test("MultiSink fans out", () => {
  const dir = tmp();
  const a = new JsonlSink(path.join(dir, "a")), b = new JsonlSink(path.join(dir, "b"));
  const m = new MultiSink([a, b]);
  m.write(1, { loss: 1 }, "train");
  m.close();
  for (const d of ["a", "b"]) assert.equal(readdirSync(path.join(dir, d)).length, 1);
  assert.equal(readMetricsJsonl(path.join(dir, "b", "metrics.jsonl"))[0]?.loss, 1);
});
