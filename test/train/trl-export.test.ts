// exportTrl without Python: the folder's files, the Parquet ids against rewardlab's own preparation, TRL's names in
// the YAML, the warnings, and the overwrite rule. trl-export.e2e.test.ts runs the folder with TRL itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { parse as parseYaml } from "yaml";
import { InputError } from "../../src/errors.js";
import { RewardModel } from "../../src/models/index.js";
import { DEFAULT_REWARD_CONFIG, exportTrl, openPairSet, type StudySpec } from "../../src/train/index.js";

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), "rewardlab-trl-export-"));

function spec(over: Partial<StudySpec["training"]> = {}): StudySpec {
  return {
    name: "t", data: "builtin", eval_data: "builtin", train_split: "train", eval_split: "test", max_train_pairs: 12, max_eval_pairs: 5,
    profile_steps: 0, models: [{ name: "tiny", model: "config:gpt2-tiny", config: null, tokenizer: null, training: {}, reference: null }],
    training: { ...DEFAULT_REWARD_CONFIG, max_length: 256, max_steps: 20, ...over },
  };
}

test("export-trl: Parquet holds rewardlab's ids under TRL's columns; YAML, accelerate configs, launcher, export.json", async () => {
  const out = path.join(tmp(), "exp");
  const res = await exportTrl({ spec: spec({ use_lora: true, lora_r: 4, eval_strategy: "steps", eval_steps: 5 }), out, numProcesses: 4, deepspeed: "zero3" });
  for (const f of ["README.md", "export.json", "launch_trl.py", "configs/tiny.yaml", "models/tiny/config.json", "models/tiny/model.safetensors",
    "models/tiny/vocab.json", ...["single", "ddp", "zero2", "zero3"].map((s) => `accelerate/${s}.yaml`)]) {
    assert.ok(existsSync(path.join(out, f)), `${f} is missing`);
  }
  assert.ok(!existsSync(path.join(out, ".prepared")), "rewardlab's own prepared folders are removed");

  // the ids are exactly what rewardlab trains on
  const ref = await openPairSet("builtin", { split: "train", tokenizer: "builtin:gpt2", maxLength: 256, into: path.join(tmp(), "p") });
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path.join(out, "data/tokenizer-1/train.parquet")) });
  assert.equal(rows.length, 12);
  assert.deepEqual(Object.keys(rows[0] as object).sort(), ["chosen_ids", "length", "rejected_ids"]);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as { chosen_ids: number[]; rejected_ids: number[] };
    assert.deepEqual(r.chosen_ids, Array.from(ref.pairs.pair(i).input_ids_chosen));
    assert.deepEqual(r.rejected_ids, Array.from(ref.pairs.pair(i).input_ids_rejected));
    assert.equal((r as unknown as { length: number }).length, Math.max(r.chosen_ids.length, r.rejected_ids.length));
  }
  assert.equal((await parquetReadObjects({ file: await asyncBufferFromFile(path.join(out, "data/tokenizer-1/test.parquet")) })).length, 5);

  // the saved init is the one rewardlab draws for the same seed
  const saved = RewardModel.load(path.join(out, "models/tiny"));
  assert.deepEqual(saved.weights.data, RewardModel.create({ ...saved.configFile.raw }, 42).weights.data);

  const y = parseYaml(readFileSync(path.join(out, "configs/tiny.yaml"), "utf8")) as Record<string, unknown>;
  assert.equal(y["model_name_or_path"], "models/tiny");
  assert.equal(y["dataset_name"], "data/tokenizer-1");
  assert.equal(y["output_dir"], "runs/tiny");
  assert.equal(y["max_steps"], 20);
  assert.equal(y["learning_rate"], 1e-4);
  assert.equal(y["train_sampling_strategy"], "group_by_length");
  assert.equal(y["remove_unused_columns"], false);
  assert.equal(y["eval_strategy"], "steps");
  assert.equal(y["eval_steps"], 5);
  assert.equal(y["bf16"], false);
  assert.deepEqual(y["report_to"], ["tensorboard"]);
  assert.equal(y["use_peft"], true);
  assert.equal(y["lora_r"], 4);
  assert.deepEqual(y["lora_target_modules"], ["c_attn"]);
  assert.deepEqual(y["lora_modules_to_save"], ["score"]);
  assert.equal(y["lora_task_type"], "SEQ_CLS");

  // PyYAML reads a bare no as false
  assert.match(readFileSync(path.join(out, "accelerate/ddp.yaml"), "utf8"), /^downcast_bf16: "no"$/m);
  assert.match(readFileSync(path.join(out, "configs/tiny.yaml"), "utf8"), /^lr_scheduler_type: "linear"$/m);
  const ddp = parseYaml(readFileSync(path.join(out, "accelerate/ddp.yaml"), "utf8")) as Record<string, unknown>;
  assert.equal(ddp["distributed_type"], "MULTI_GPU");
  assert.equal(ddp["num_processes"], 4);
  const z3 = parseYaml(readFileSync(path.join(out, "accelerate/zero3.yaml"), "utf8")) as { deepspeed_config: Record<string, unknown> };
  assert.equal(z3.deepspeed_config["zero_stage"], 3);
  assert.equal(z3.deepspeed_config["zero3_save_16bit_model"], true);

  const j = JSON.parse(readFileSync(path.join(out, "export.json"), "utf8")) as typeof res;
  assert.deepEqual(j, res);
  assert.equal(j.recommended, "zero3");
  assert.deepEqual(Object.keys(j.launch), ["cpu", "single", "ddp", "zero2", "zero3"]);
  assert.equal(j.launch.zero3[0], "accelerate launch --config_file accelerate/zero3.yaml launch_trl.py --config configs/tiny.yaml");
  assert.match(j.launch.cpu[0] as string, /--num_processes 2 .*--use_cpu true$/);
  // rewardlab-only fields are named, not dropped
  assert.ok(j.warnings.some((w) => w.startsWith('layout: "prefix-shared"')));
  assert.ok(j.warnings.some((w) => w.startsWith("report_to jsonl")));
  const readme = readFileSync(path.join(out, "README.md"), "utf8");
  assert.ok(readme.includes(j.launch.ddp[0] as string));
  assert.match(readme, /\| layout \| "prefix-shared"/);
});

test("export-trl: an existing folder is an error unless overwrite", async () => {
  const out = path.join(tmp(), "exp");
  await exportTrl({ spec: spec({ threads: 1 }), out });
  await assert.rejects(exportTrl({ spec: spec(), out }), (e: unknown) => e instanceof InputError && /exists/.test(e.message) && /--overwrite/.test(e.hint ?? ""));
  const again = await exportTrl({ spec: spec({ save_steps: 0 }), out, overwrite: true });
  assert.ok(again.warnings.some((w) => w.startsWith("save_steps 0")));
  assert.ok(!again.warnings.some((w) => w.startsWith("threads")), "the folder is the new export's");
});

test("export-trl CLI: bad input is one line and exit 2", () => {
  const out = tmp();
  writeFileSync(path.join(out, "keep.txt"), "x");
  const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/rewardlab.js", "export-trl", ...args], { encoding: "utf8" });
  const exists = cli("--model", "config:gpt2-tiny", "--out", out);
  assert.equal(exists.status, 2);
  assert.match(exists.stderr, /output folder exists and is not empty\nhint: pass --overwrite/);
  const ds = cli("--model", "config:gpt2-tiny", "--out", path.join(out, "x"), "--deepspeed", "zero4");
  assert.equal(ds.status, 2);
  assert.match(ds.stderr, /--deepspeed: expected zero2 or zero3, got "zero4"/);
  const data = cli("--preset", "default", "--data", "builtin", "--out", path.join(out, "y"));
  assert.equal(data.status, 2);
  assert.match(data.stderr, /--data goes with --model/);
});
