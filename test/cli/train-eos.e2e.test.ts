// The EOS rule travels with the model: `rewardlab train` records whether the training texts got the eos token in
// final/config.json (a LoRA adapter's adapter_config.json), and the scorer that `score` and `serve` load encodes
// texts the same way; a model folder without the record is scored on the text as given.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { APPEND_EOS_TOKEN_KEY, cachedTokenizer, recordEosRule, trainedEosRule } from "../../src/data/index.js";
import { RewardScorer } from "../../src/serve/scorer.js";
import { tmpDir } from "../train/helpers.js";

const CLI = path.resolve("bin/rewardlab.js");
const TINY = { model_type: "gpt2", vocab_size: 50257, n_positions: 256, n_embd: 16, n_layer: 1, n_head: 2, n_inner: null,
  pad_token_id: 50256, eos_token_id: 50256, bos_token_id: 50256 };

function train(dir: string, extra: string[], data = path.join(dir, "d.jsonl")): string {
  if (!existsSync(data)) writeFileSync(data, ['{"chosen":"Good answer.","rejected":"Bad."}', '{"chosen":"Yes","rejected":"No thanks"}'].join("\n"));
  const modelConfig = path.join(dir, "tiny.json");
  writeFileSync(modelConfig, JSON.stringify(TINY));
  const out = path.join(dir, `run${extra.map((x) => path.basename(x)).join("")}`);
  const r = spawnSync(process.execPath, [CLI, "train", "--model-config", modelConfig, "--tokenizer", "builtin:gpt2", "--data", data,
    "--out", out, "--max-steps", "1", "--per-device-train-batch-size", "2", "--threads", "1", "--report-to", "jsonl", ...extra], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return path.join(out, "final");
}

test("train records the EOS rule in final/config.json; the scorer appends eos exactly when it is recorded", async () => {
  const dir = tmpDir("eos");
  const tok = await cachedTokenizer("builtin:gpt2");
  for (const [flags, appended] of [[[], true], [["--no-append-eos-token"], false]] as const) {
    const final = train(dir, [...flags]);
    const config = JSON.parse(readFileSync(path.join(final, "config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(config[APPEND_EOS_TOKEN_KEY], appended);
    assert.equal(config.n_embd, 16, "the rest of config.json is kept");
    const scorer = await RewardScorer.load({ model: final, log: () => {} });
    try {
      const { rows } = scorer.tokenize(["Good answer.", "Done<|endoftext|>"], (i) => `texts[${i}]`);
      const eos = appended ? [50256] : [];
      assert.deepEqual(rows, [[...tok.encode("Good answer."), ...eos], tok.encode("Done<|endoftext|>")]);
    } finally {
      await scorer.release();
    }
  }
});

test("train on conversational data with --chat-template: no eos recorded, the template saved beside the model", async () => {
  const dir = tmpDir("eos-chat");
  const template = path.resolve("test/fixtures/data/trl-formats/chatml.jinja");
  const final = train(dir, ["--chat-template", template], path.resolve("test/fixtures/data/trl-formats/gpt2/conversational_explicit.jsonl"));
  assert.equal(trainedEosRule(final), false);
  assert.equal(readFileSync(path.join(final, "chat_template.jinja"), "utf8"), readFileSync(template, "utf8"));
  const prepared = JSON.parse(readFileSync(path.join(path.dirname(final), "data", "train", "meta.json"), "utf8")) as { encoding: unknown };
  assert.deepEqual(prepared.encoding, { dataFormat: "chat", appendEosToken: false, chatTemplate: template });
});

test("recordEosRule edits the config text in place (float literals kept); no record reads as text-as-given", () => {
  const dir = tmpDir("eos-record");
  const file = path.join(dir, "config.json");
  writeFileSync(file, '{\n  "attn_pdrop": 0.0,\n  "n_embd": 16\n}\n');
  assert.equal(trainedEosRule(dir), false);
  recordEosRule(dir, true);
  assert.equal(readFileSync(file, "utf8"), `{\n  "attn_pdrop": 0.0,\n  "n_embd": 16,\n  "${APPEND_EOS_TOKEN_KEY}": true\n}\n`);
  assert.equal(trainedEosRule(dir), true);
  recordEosRule(dir, false);
  assert.equal(trainedEosRule(dir), false);
  assert.equal(readFileSync(file, "utf8").split(APPEND_EOS_TOKEN_KEY).length, 2, "replaced, not added twice");
  const adapter = tmpDir("eos-adapter");
  writeFileSync(path.join(adapter, "adapter_config.json"), '{"peft_type": "LORA", "r": 4}');
  recordEosRule(adapter, true);
  assert.equal(trainedEosRule(adapter), true);
  assert.equal((JSON.parse(readFileSync(path.join(adapter, "adapter_config.json"), "utf8")) as { r: number }).r, 4);
});
