// transformers and peft load what rewardlab trains on the Llama family and give the same rewards: a full fine-tune's
// final/ (AutoModelForSequenceClassification) and a LoRA final/ on every linear (PeftModel over the base folder).
// Needs a Python with torch, transformers and peft:
//   REWARDLAB_TRL_PYTHON=/path/to/venv/bin/python node scripts/run-tests.js llama-interop
// and skips with a message without one. The project itself never needs Python.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { RewardModel } from "../../src/models/index.js";
import { pairList } from "../../src/train/batches.js";
import { train } from "../../src/train/trainer.js";
import { quiet, syntheticPairs, testConfig, tmpDir } from "../train/helpers.js";
import { LLAMA_FIXTURES, readLlamaExpected } from "./llama-fixtures.js";
import { assertClose } from "./parity.js";

const PY = process.env["REWARDLAB_TRL_PYTHON"];
const skip = PY ? false : "set REWARDLAB_TRL_PYTHON to a python with torch, transformers and peft to compare with them";

// rewards of id rows (one at a time) from a model folder, or from an adapter over its base folder; a base without
// pad_token_id gets the pad rewardlab used, as TRL sets model.config.pad_token_id before training
const SCRIPT = `
import json, sys, torch
from transformers import AutoModelForSequenceClassification
model_dir, adapter, rows, pad = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
m = AutoModelForSequenceClassification.from_pretrained(model_dir, dtype=torch.float32)
if m.config.pad_token_id is None:
    m.config.pad_token_id = pad
if adapter:
    from peft import PeftModel
    m = PeftModel.from_pretrained(m, adapter)
m.eval()
with torch.no_grad():
    print(json.dumps([m(input_ids=torch.tensor([r])).logits[0, 0].item() for r in rows]))
`;

function pythonRewards(modelDir: string, adapter: string, rows: readonly number[][], pad: number): number[] {
  const r = spawnSync(PY as string, ["-c", SCRIPT, modelDir, adapter, JSON.stringify(rows), String(pad)], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1" } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as number[];
}

// qwen3-qknorm has no pad_token_id (pads with eos 2) and a text ending in eos
for (const name of ["llama-gqa-llama3", "qwen3-qknorm"]) {
  test(`${name}: transformers and peft score rewardlab's trained folders as rewardlab does`, { skip, timeout: 300_000 }, async () => {
    const base = path.join(LLAMA_FIXTURES, name);
    const rows = readLlamaExpected(name).texts.map((t) => t.input_ids);
    for (const lora of [false, true]) {
      const out = tmpDir(`${name}-interop`);
      await train({ model: RewardModel.load(base), modelSource: base, baseModelDir: base, train: pairList(syntheticPairs(8)), console: quiet,
        config: testConfig(out, { max_steps: 2, learning_rate: 1e-2, report_to: ["jsonl"], use_lora: lora, lora_r: 4, lora_alpha: 8,
          lora_target_modules: lora ? ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] : null }) });
      const { model } = await RewardModel.fromPretrained(path.join(out, "final"));
      const ours = await model.score(rows);
      await model.release();
      const pad = model.padTokenId;
      const theirs = lora ? pythonRewards(base, path.join(out, "final"), rows, pad) : pythonRewards(path.join(out, "final"), "", rows, pad);
      const before = readLlamaExpected(name).texts.map((t) => t.reward);
      assert.ok(ours.some((x, i) => Math.abs(x - (before[i] as number)) > 1e-3), "training changed the rewards");
      assertClose(`${name}${lora ? " LoRA" : ""}: rewardlab vs ${lora ? "peft" : "transformers"}`, ours, theirs, 1e-5 * Math.max(...theirs.map(Math.abs)));
    }
  });
}
