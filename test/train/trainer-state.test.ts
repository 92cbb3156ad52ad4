import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pythonFloatRepr } from "../../src/models/index.js";
import {
  formatTrainerState, newTrainerState, pythonJsonDumps, readTrainerState, trainSummary, TrainerStateSink,
} from "../../src/train/index.js";

test("floats as Python's repr writes them", () => {
  const cases: [number, string][] = [[1, "1.0"], [0, "0.0"], [0.1, "0.1"], [5e-5, "5e-05"], [1e-5, "1e-05"], [0.0001, "0.0001"],
    [1.5e-7, "1.5e-07"], [-2.5, "-2.5"], [123.456, "123.456"], [1e16, "1e+16"], [1234567890123456.0, "1234567890123456.0"],
    [12345678901234567000, "1.2345678901234567e+19"], [0.6931471805599453, "0.6931471805599453"], [NaN, "NaN"],
    [-Infinity, "-Infinity"], [3.0000000000000004e-5, "3.0000000000000004e-05"]];
  for (const [x, want] of cases) assert.equal(pythonFloatRepr(x), want, String(x));
});

test("json.dumps(indent=2, sort_keys=True, ensure_ascii) layout", () => {
  assert.equal(pythonJsonDumps({ b: [1, { z: null, a: "é\n" }], a: [], c: {}, step: 3 }, new Set(["step"])),
    '{\n  "a": [],\n  "b": [\n    1.0,\n    {\n      "a": "\\u00e9\\n",\n      "z": null\n    }\n  ],\n  "c": {},\n  "step": 3\n}');
});

test("trainer_state.json as the HF Trainer writes it", () => {
  const s = newTrainerState({ max_steps: 20, num_train_epochs: 2, logging_steps: 10, eval_steps: null, save_steps: 20, train_batch_size: 4 });
  const sink = new TrainerStateSink(s);
  sink.write(10, { loss: 0.6931, grad_norm: 1.5, learning_rate: 5e-5, epoch: 1 }, "train");
  sink.write(10, { eval_loss: 0.65, eval_accuracy: 0.5, epoch: 1 }, "eval");
  sink.write(20, { ...trainSummary({ runtimeSeconds: 12.34567, numSamples: 80, numSteps: 20, totalFlos: 0, trainLoss: 0.6 }), epoch: 2 }, "train");
  s.global_step = 20;
  s.epoch = 2;
  s.stateful_callbacks.TrainerControl.args.should_save = true;
  assert.equal(formatTrainerState(s), `{
  "best_global_step": null,
  "best_metric": null,
  "best_model_checkpoint": null,
  "epoch": 2.0,
  "eval_steps": 10,
  "global_step": 20,
  "is_hyper_param_search": false,
  "is_local_process_zero": true,
  "is_world_process_zero": true,
  "log_history": [
    {
      "epoch": 1.0,
      "grad_norm": 1.5,
      "learning_rate": 5e-05,
      "loss": 0.6931,
      "step": 10
    },
    {
      "epoch": 1.0,
      "eval_accuracy": 0.5,
      "eval_loss": 0.65,
      "step": 10
    },
    {
      "epoch": 2.0,
      "step": 20,
      "total_flos": 0.0,
      "train_loss": 0.6,
      "train_runtime": 12.3457,
      "train_samples_per_second": 6.48,
      "train_steps_per_second": 1.62
    }
  ],
  "logging_steps": 10,
  "max_steps": 20,
  "num_input_tokens_seen": 0,
  "num_train_epochs": 2,
  "save_steps": 20,
  "stateful_callbacks": {
    "TrainerControl": {
      "args": {
        "should_epoch_stop": false,
        "should_evaluate": false,
        "should_log": false,
        "should_save": true,
        "should_training_stop": false
      },
      "attributes": {}
    }
  },
  "total_flos": 0.0,
  "train_batch_size": 4,
  "trial_name": null,
  "trial_params": null
}
`);
});

test("written, read back (NaN included), and truncated on resume", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rl-state-"));
  const s = newTrainerState({ max_steps: 30, num_train_epochs: 1, logging_steps: 10, eval_steps: 5, save_steps: 10, train_batch_size: 2 });
  const sink = new TrainerStateSink(s, dir);
  for (const step of [10, 20, 30]) sink.write(step, { loss: step === 20 ? NaN : 0.5, epoch: step / 30 }, "train");
  sink.close();
  assert.match(readFileSync(path.join(dir, "trainer_state.json"), "utf8"), /"loss": NaN/);
  const back = readTrainerState(path.join(dir, "trainer_state.json"));
  assert.equal(back.log_history.length, 3);
  assert.ok(Number.isNaN(back.log_history[1]?.loss));
  assert.equal(back.eval_steps, 5);
  const resumed = new TrainerStateSink(back);
  resumed.truncateAfter(20);
  assert.deepEqual(resumed.state.log_history.map((e) => e.step), [10, 20]);
});
