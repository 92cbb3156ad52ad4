// The export run by TRL itself: `rewardlab export-trl` → TRL's RewardTrainer (2 processes, DDP over gloo, and one
// process) → back into rewardlab (report, scoring). Needs a Python with trl, accelerate, datasets and tensorboard:
//   REWARDLAB_TRL_PYTHON=/path/to/venv/bin/python node scripts/run-tests.js trl-export.e2e
// and skips with a message without one. The project itself never needs Python.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RewardModel } from "../../src/models/index.js";
import { collectRuns, writeReport } from "../../src/report/index.js";
import {
  DEFAULT_REWARD_CONFIG, METRICS_JSONL, openPairSet, pairSlice, readMetricsJsonl, resolveModelSource, train, type ExportJson, type RewardConfig,
} from "../../src/train/index.js";

const PY = process.env["REWARDLAB_TRL_PYTHON"];
const skip = PY ? false : "set REWARDLAB_TRL_PYTHON to a python with trl, accelerate, datasets and tensorboard to run TRL itself";
const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), "rewardlab-trl-e2e-"));

function run(cmd: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", TOKENIZERS_PARALLELISM: "false" }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed:\n${(r.stderr ?? "").slice(-4000)}`);
  return r.stdout;
}

/** `rewardlab export-trl --model config:gpt2-tiny` over builtin data, with these training flags. */
function exportTiny(out: string, pairs: { train: number; eval: number }, flags: readonly string[]): ExportJson {
  run(process.execPath, [path.resolve("bin/rewardlab.js"), "export-trl", "--model", "config:gpt2-tiny", "--out", out, "--num-processes", "2",
    "--max-train-pairs", String(pairs.train), "--max-eval-pairs", String(pairs.eval), "--max-length", "256", "--layout", "standard",
    "--no-group-by-length", ...flags], ".");
  return JSON.parse(readFileSync(path.join(out, "export.json"), "utf8")) as ExportJson;
}

/** rewardlab's own run of the same spec on the same pairs (the same init: config:gpt2-tiny at seed 42). */
async function rewardlabRun(c: RewardConfig, pairs: { train: number; eval: number }, out: string): Promise<void> {
  const src = await resolveModelSource("config:gpt2-tiny", { seed: c.seed, what: "test" });
  const open = async (split: string, n: number) => pairSlice((await openPairSet("builtin", { split, tokenizer: "builtin:gpt2", maxLength: 256,
    into: path.join(out, "data", split) })).pairs, 0, n);
  await train({ model: src.load(), modelSource: src.source, config: { ...c, output_dir: out }, train: await open("train", pairs.train),
    eval: pairs.eval > 0 ? await open("test", pairs.eval) : null, console: { write: () => true } });
}

const CONFIG: RewardConfig = { ...DEFAULT_REWARD_CONFIG, max_length: 256, layout: "standard", group_by_length: false };

test("export-trl → TRL, 2 processes over gloo → rewardlab report beside rewardlab's run; TRL's checkpoints scored as transformers scores them",
  { skip, timeout: 600_000 }, async () => {
    const root = tmp(), exp = path.join(root, "export"), pairs = { train: 200, eval: 50 };
    const flags = ["--max-steps", "20", "--per-device-train-batch-size", "4", "--logging-steps", "1", "--eval-strategy", "steps", "--eval-steps", "10", "--save-steps", "10"];
    const ex = exportTiny(exp, pairs, flags);
    const line = (ex.launch.cpu[0] as string).split(" ");
    assert.deepEqual(line.slice(0, 2), ["accelerate", "launch"]);
    run(PY as string, ["-m", "accelerate.commands.launch", ...line.slice(2)], exp);
    const trlDir = path.join(exp, "runs", "gpt2-tiny");
    for (const f of ["trainer_state.json", "checkpoint-10/trainer_state.json", "checkpoint-20", "model.safetensors", "runs"]) assert.ok(existsSync(path.join(trlDir, f)), f);

    const rlDir = path.join(root, "rewardlab");
    await rewardlabRun({ ...CONFIG, max_steps: 20, per_device_train_batch_size: 4, logging_steps: 1, eval_strategy: "steps", eval_steps: 10, save_steps: 0 }, pairs, rlDir);
    const [trl, rl] = collectRuns([trlDir, rlDir]);
    assert.ok(trl && rl);
    assert.equal(trl.kind, "hf");
    assert.equal(trl.train.length, 20);
    assert.ok(trl.train.every((p) => Number.isFinite(p.loss) && p.loss > 0));
    // eval_on_start, step 10, step 20
    assert.deepEqual(trl.eval.map((e) => e.step), [0, 10, 20]);
    assert.ok(trl.eval.every((e) => typeof e.eval_accuracy === "number"));
    // two processes: 8 pairs a step, so 20 steps are 0.8 of 200 pairs
    assert.ok(Math.abs((trl.train.at(-1)?.epoch ?? 0) - 0.8) < 1e-9, `epoch ${trl.train.at(-1)?.epoch}`);
    assert.ok(typeof trl.trainerState?.train_runtime === "number");
    const report = path.join(root, "report");
    writeReport([trl, rl], report, { title: "TRL vs rewardlab" });
    const md = readFileSync(path.join(report, "report.md"), "utf8");
    assert.ok(md.includes("gpt2-tiny") && md.includes("rewardlab"), md.slice(0, 400));
    const fmt = (xs: readonly number[]): string => xs.map((x) => x.toFixed(4)).join(" ");
    console.log(`launch: ${ex.launch.cpu[0]}`);
    console.log(`TRL (2 processes × 4 pairs) losses: ${fmt(trl.train.map((p) => p.loss))}`);
    console.log(`rewardlab (1 process × 4 pairs) losses: ${fmt(rl.train.map((p) => p.loss))}`);
    console.log(`eval accuracy at steps ${trl.eval.map((e) => e.step).join(", ")}: TRL ${fmt(trl.eval.map((e) => e.eval_accuracy ?? NaN))}; ` +
      `rewardlab at ${rl.eval.map((e) => e.step).join(", ")}: ${fmt(rl.eval.map((e) => e.eval_accuracy ?? NaN))}`);

    // rewards of TRL's final model and of a bf16 copy, by transformers and by rewardlab, on the same ids
    const rows = (await openPairSet("builtin", { split: "test", tokenizer: "builtin:gpt2", maxLength: 256, into: path.join(root, "ids") })).pairs;
    const ids: number[][] = [];
    for (let i = 0; i < 8; i++) ids.push(Array.from(rows.pair(i).input_ids_chosen), Array.from(rows.pair(i).input_ids_rejected));
    writeFileSync(path.join(root, "ids.json"), JSON.stringify(ids));
    const script = `
import json, sys, torch
from transformers import AutoModelForSequenceClassification
src, bf16_dir, ids = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
AutoModelForSequenceClassification.from_pretrained(src).to(torch.bfloat16).save_pretrained(bf16_dir)
out = {}
for name, d in (("fp32", src), ("bf16", bf16_dir)):
    m = AutoModelForSequenceClassification.from_pretrained(d, dtype=torch.float32).eval()
    with torch.no_grad():
        out[name] = [m(torch.tensor([r])).logits[0, 0].item() for r in ids]
print(json.dumps(out))`;
    writeFileSync(path.join(root, "rewards.py"), script);
    const bf16Dir = path.join(root, "trl-bf16");
    const ref = JSON.parse(run(PY as string, [path.join(root, "rewards.py"), trlDir, bf16Dir, path.join(root, "ids.json")], root)) as Record<"fp32" | "bf16", number[]>;
    for (const [name, dir] of [["fp32", trlDir], ["bf16", bf16Dir]] as const) {
      const model = RewardModel.load(dir);
      const got = await model.score(ids);
      await model.release();
      const diff = Math.max(...ref[name].map((r, i) => Math.abs(r - (got[i] as number))));
      console.log(`rewards of TRL's ${name} checkpoint, rewardlab vs transformers, ${ids.length} texts: max |diff| ${diff.toExponential(2)}`);
      assert.ok(diff <= 1e-5, `${name}: max |diff| ${diff}`);
    }
  });

test("one process, the same first batch: TRL's step-1 loss equals rewardlab's to 1e-4", { skip, timeout: 300_000 }, async () => {
  // TRL reads the pairs in order (train_sampling_strategy: sequential); rewardlab shuffles, so the first batch holds
  // the whole training set on both sides: the same pairs, and a mean loss that does not depend on their order
  const root = tmp(), exp = path.join(root, "export"), pairs = { train: 32, eval: 8 };
  exportTiny(exp, pairs, ["--max-steps", "1", "--per-device-train-batch-size", "32", "--logging-steps", "1", "--save-steps", "0"]);
  run(PY as string, ["launch_trl.py", "--config", "configs/gpt2-tiny.yaml", "--train_sampling_strategy", "sequential"], exp);
  const state = JSON.parse(readFileSync(path.join(exp, "runs", "gpt2-tiny", "trainer_state.json"), "utf8")) as { log_history: { step: number; loss?: number; grad_norm?: number }[] };
  const trlStep = state.log_history.find((e) => e.step === 1 && e.loss !== undefined);
  assert.ok(trlStep?.loss !== undefined);

  const rlDir = path.join(root, "rewardlab");
  await rewardlabRun({ ...CONFIG, max_steps: 1, per_device_train_batch_size: 32, logging_steps: 1, save_steps: 0 }, pairs, rlDir);
  const rlStep = readMetricsJsonl(path.join(rlDir, METRICS_JSONL)).find((e) => e["step"] === 1 && typeof e["loss"] === "number");
  assert.ok(rlStep);
  const diff = Math.abs(trlStep.loss - (rlStep["loss"] as number));
  console.log(`step-1 loss, 32 pairs: TRL ${trlStep.loss} rewardlab ${String(rlStep["loss"])} |diff| ${diff.toExponential(2)}; ` +
    `grad_norm TRL ${trlStep.grad_norm} rewardlab ${String(rlStep["grad_norm"])}`);
  assert.ok(diff <= 1e-4, `step-1 loss differs by ${diff}`);
});

test("a TRL LoRA run (modules_to_save score, length-grouped): rewardlab scores its adapter folders as PEFT does", { skip, timeout: 300_000 }, async () => {
  const root = tmp(), exp = path.join(root, "export");
  exportTiny(exp, { train: 16, eval: 8 }, ["--max-steps", "3", "--per-device-train-batch-size", "4", "--use-lora", "--lora-r", "4",
    "--learning-rate", "0.01", "--save-steps", "2", "--group-by-length"]);
  run(PY as string, ["launch_trl.py", "--config", "configs/gpt2-tiny.yaml"], exp);
  const rows = (await openPairSet("builtin", { split: "test", tokenizer: "builtin:gpt2", maxLength: 256, into: path.join(root, "ids") })).pairs;
  const ids: number[][] = [];
  for (let i = 0; i < 4; i++) ids.push(Array.from(rows.pair(i).input_ids_chosen), Array.from(rows.pair(i).input_ids_rejected));
  writeFileSync(path.join(root, "ids.json"), JSON.stringify(ids));
  writeFileSync(path.join(root, "peft_rewards.py"), `
import json, sys, torch
from peft import PeftModel
from transformers import AutoModelForSequenceClassification
base, ids, out = sys.argv[1], json.load(open(sys.argv[2])), {}
for d in sys.argv[3:]:
    m = PeftModel.from_pretrained(AutoModelForSequenceClassification.from_pretrained(base), d).eval()
    with torch.no_grad():
        out[d] = [m(torch.tensor([r])).logits[0, 0].item() for r in ids]
print(json.dumps(out))`);
  const dirs = [path.join(exp, "runs/gpt2-tiny"), path.join(exp, "runs/gpt2-tiny/checkpoint-2")];
  const ref = JSON.parse(run(PY as string, [path.join(root, "peft_rewards.py"), path.join(exp, "models/gpt2-tiny"), path.join(root, "ids.json"), ...dirs], root)) as Record<string, number[]>;
  const base = await RewardModel.load(path.join(exp, "models/gpt2-tiny")).score(ids);
  for (const d of dirs) {
    const { model } = await RewardModel.fromPretrained(d);
    const got = await model.score(ids);
    await model.release();
    const want = ref[d] as number[];
    const diff = Math.max(...want.map((r, i) => Math.abs(r - (got[i] as number))));
    const moved = Math.max(...want.map((r, i) => Math.abs(r - (base[i] as number))));
    console.log(`TRL LoRA adapter ${path.relative(exp, d)}: rewardlab vs PEFT max |diff| ${diff.toExponential(2)} (the adapter moved rewards by up to ${moved.toFixed(4)})`);
    assert.ok(diff <= 1e-5, `${d}: max |diff| ${diff}`);
    assert.ok(moved > 1e-3, "the adapter changed the rewards");
  }
});
