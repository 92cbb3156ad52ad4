// opt-tiny-postln: rewards, loss and gradients against transformers (test/fixtures/reference/opt-tiny-postln/expected.json).
import { test } from "node:test";
import { checkLossAndGradients, checkRewards } from "./parity.js";

test("opt-tiny-postln: padded batches and rewards (single, batched) match transformers", () => checkRewards("opt-tiny-postln"));
test("opt-tiny-postln: pairwise loss and every parameter's gradient match transformers", () => checkLossAndGradients("opt-tiny-postln"));
