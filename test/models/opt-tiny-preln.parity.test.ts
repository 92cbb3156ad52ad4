// opt-tiny-preln: rewards, loss and gradients against transformers (test/fixtures/reference/opt-tiny-preln/expected.json).
import { test } from "node:test";
import { checkLossAndGradients, checkRewards } from "./parity.js";

test("opt-tiny-preln: padded batches and rewards (single, batched) match transformers", () => checkRewards("opt-tiny-preln"));
test("opt-tiny-preln: pairwise loss and every parameter's gradient match transformers", () => checkLossAndGradients("opt-tiny-preln"));
