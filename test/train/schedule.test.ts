import { test } from "node:test";
import assert from "node:assert/strict";
import { learningRateAt, lrLambda, lrSchedule, numTrainingSteps, numWarmupSteps, updatesPerEpoch } from "../../src/train/index.js";

test("warmup steps: warmup_steps wins when > 0, else ceil(ratio · total)", () => {
  assert.equal(numWarmupSteps(1000, 0, 0.1), 100);
  assert.equal(numWarmupSteps(1001, 0, 0.1), 101); // 100.1 rounds up
  assert.equal(numWarmupSteps(10, 0, 0.05), 1); // 0.5 rounds up
  assert.equal(numWarmupSteps(1000, 7, 0.1), 7);
  assert.equal(numWarmupSteps(1000, 0, 0), 0);
});

test("linear: 0 at step 0, peak at the end of warmup, 0 at num_training_steps", () => {
  const [w, n] = [10, 110];
  assert.equal(lrLambda("linear", 0, w, n), 0);
  assert.equal(lrLambda("linear", 5, w, n), 0.5);
  assert.equal(lrLambda("linear", 10, w, n), 1);
  assert.equal(lrLambda("linear", 60, w, n), 0.5);
  assert.equal(lrLambda("linear", 109, w, n), 0.01);
  assert.equal(lrLambda("linear", 110, w, n), 0);
  assert.equal(lrLambda("linear", 200, w, n), 0);
  assert.equal(lrLambda("linear", 0, 0, 100), 1); // no warmup: the first step runs at the full rate
});

test("cosine: half a cosine after warmup", () => {
  const [w, n] = [10, 110];
  assert.equal(lrLambda("cosine", 3, w, n), 0.3);
  assert.equal(lrLambda("cosine", 10, w, n), 1);
  assert.ok(Math.abs(lrLambda("cosine", 60, w, n) - 0.5) < 1e-15);
  assert.ok(Math.abs(lrLambda("cosine", 35, w, n) - 0.5 * (1 + Math.cos(Math.PI / 4))) < 1e-15);
  assert.ok(lrLambda("cosine", 110, w, n) < 1e-15);
});

test("constant and constant_with_warmup", () => {
  assert.equal(lrLambda("constant", 0, 10, 100), 1);
  assert.equal(lrLambda("constant", 5, 10, 100), 1);
  assert.equal(lrLambda("constant_with_warmup", 5, 10, 100), 0.5);
  assert.equal(lrLambda("constant_with_warmup", 10, 10, 100), 1);
  assert.equal(lrLambda("constant_with_warmup", 1000, 10, 100), 1);
});

test("lrSchedule / learningRateAt from config fields", () => {
  const s = lrSchedule({ learning_rate: 1e-4, lr_scheduler_type: "linear", warmup_steps: 0, warmup_ratio: 0.1 }, 50);
  assert.equal(s.numWarmupSteps, 5);
  assert.equal(learningRateAt(s, 0), 0);
  assert.equal(learningRateAt(s, 5), 1e-4);
  assert.equal(learningRateAt(s, 50), 0);
});

test("total steps as the HF Trainer counts them", () => {
  const base = { per_device_train_batch_size: 4, gradient_accumulation_steps: 1, num_train_epochs: 3, max_steps: -1 };
  assert.equal(numTrainingSteps({ ...base, numPairs: 10 }), 9); // 3 batches/epoch (last one partial)
  assert.equal(numTrainingSteps({ ...base, numPairs: 10, gradient_accumulation_steps: 2 }), 3); // floor(3/2) = 1 per epoch
  assert.equal(numTrainingSteps({ ...base, numPairs: 10, num_train_epochs: 1.5 }), 5); // ceil(4.5)
  assert.equal(numTrainingSteps({ ...base, numPairs: 10, max_steps: 7 }), 7);
  assert.equal(updatesPerEpoch({ numPairs: 1, per_device_train_batch_size: 4, gradient_accumulation_steps: 8 }), 1);
});
