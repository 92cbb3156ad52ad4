// rewardlab's library entry: one namespace per layer, bottom to top (engine, hub → models, tokenizer → data →
// train → report), so `import { models, train } from "rewardlab"` reads like the folder layout.

// errors shared by every layer
export * from "./errors.js";

// engine: graph IR, autodiff, float64 interpreter, ONNX emission, ONNX Runtime executor
export * as engine from "./engine/index.js";

// hub: the Hugging Face cache layout and downloads
export * as hub from "./hub/index.js";

// models: GPT-2 / OPT reward models, Hugging Face checkpoints, LoRA
export * as models from "./models/index.js";

// tokenizer: Hugging Face byte-level BPE (GPT-2, OPT)
export * as tokenizer from "./tokenizer/index.js";

// data: preference-pair readers, tokenized pairs, prepared datasets, stats, built-in data
export * as data from "./data/index.js";

// train: RewardConfig, RewardTrainer, AdamW, schedules, metric sinks, checkpoints, study spec
export * as train from "./train/index.js";

// report: run folders → HTML / markdown comparison report
export * as report from "./report/index.js";

// serve: rewards over HTTP (startRewardServer), the scorer behind `rewardlab serve`
export * as serve from "./serve/index.js";

// eval: benchmarks scored by a reward model (pairs, RewardBench, RewardBench 2), accuracy interval, length bias,
// calibration. Named "evaluation": `eval` cannot be an imported binding in strict-mode code.
export * as evaluation from "./eval/index.js";
