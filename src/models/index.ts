// Public surface of src/models: GPT-2 / OPT / Llama-family reward models (*ForSequenceClassification, one label), their HF
// checkpoints (safetensors, pytorch_model.bin) and the reward graph. Other layers import only from this file.

// the model
export { RewardModel, type LoadOptions, type SaveOptions, type ScoreOptions, type ScoreQuantization } from "./reward-model.js";
export { MODEL_TYPES, modelDefFor, type ModelConfig, type ModelDef } from "./registry.js";
export { gpt2Params, gpt2Forward, gpt2PositionIds, parseGPT2Config, type GPT2Config } from "./gpt2.js";
export { optParams, optForward, optPositionIds, parseOPTConfig, type OPTConfig } from "./opt.js";
export {
  llamaParams, llamaForward, parseLlamaConfig, ropeInverseFrequencies, LLAMA_FAMILY,
  type LlamaConfig, type LlamaModelType, type RopeParameters, type LayerType,
} from "./llama.js";

// the reward graph's inputs and the standard batch (causal + padding bias, positions, pooled token)
export {
  rewardInputs, paramLookup, ordinaryBatch, arangePositionIds, causalPaddingBias, INPUT_NAMES, MASKED,
  type RewardInputs, type ParamLookup, type RewardForward, type OrdinaryBatch,
} from "./layers.js";
export { inferenceGraph, inferenceOnnx, ONNX_INPUTS, ONNX_OUTPUT } from "./onnx-export.js";
export { sharedRowFeeds, sharedRowLength, type SharedRow } from "./shared-rows.js";
export { buildRewardGraph, batchFeeds, weightFeeds, type RewardGraph, type RewardGraphOptions } from "./reward-graph.js";

// parameters and checkpoints
export { Weights, NormalRng, numelOf, type ParamSpec, type ParamInit } from "./weights.js";
export { loadWeights, saveWeights, openCheckpointTensors, type KeyRules, type LoadedWeights } from "./checkpoint.js";
export {
  openSafetensors, readTensorF32, writeSafetensors, saveSafetensorsCheckpoint, openSafetensorsCheckpoint, planShards,
  DEFAULT_MAX_SHARD_BYTES, floatToBf16, type SaveDtype, type SafetensorsFile, type TensorEntry, type TensorToWrite,
} from "./safetensors.js";
export { openTorchBin, readTorchTensorF32, type TorchCheckpoint, type TorchTensorRef } from "./torch-bin.js";
export { readConfigFile, rewardConfigJson, type ConfigFile } from "./hf-config.js";
export { pythonJson, pythonFloatRepr, type FloatRule, type RawConfig } from "./config.js";

// the reference models' weight formula (parity tests and benches)
export { formulaWeights, formulaValues, checksumF32 } from "./formula.js";

// LoRA (src/models/lora.ts, written by the LoRA engineer): PEFT-named adapters on the reward graph
export {
  ADAPTER_CONFIG_NAME, ADAPTER_WEIGHTS_NAME, PEFT_PREFIX, LORA_DEFAULT_TARGETS, SEQ_CLS_MODULES_TO_SAVE,
  loraTargets, loraParamSpecs, initLoraParams, LoraGraph, peftAdapterConfig, savePeftAdapter, isAdapterDir,
  loadPeftAdapter, mergeLoraInto, type LoraSettings, type LoraTarget, type PeftAdapterConfig, type LoadedAdapter,
} from "./lora.js";
// 8/4-bit frozen base weights (QLoRA; load_in_8bit / load_in_4bit) through the engine's matmulNBits
export {
  QuantGraph, quantizeBase, quantizedBaseTensors, quantizedBaseFile, baseFingerprint, packedNames,
  type QuantSettings, type QuantizedLinear,
} from "./quantized-base.js";
