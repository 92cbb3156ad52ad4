// The files of an export that are text for people and for Python: the launcher (TRL's RewardTrainer on one model's
// YAML, reading the Parquet splits with load_dataset("parquet")) and README.md (command lines, semantic differences).

export const LAUNCHER_NAME = "launch_trl.py";

export const LAUNCHER = `# Written by \`rewardlab export-trl\`: TRL's RewardTrainer on one model's YAML (the same file \`trl reward --config\`
# takes). Run it from the export folder, through accelerate:
#   accelerate launch --config_file accelerate/ddp.yaml ${LAUNCHER_NAME} --config configs/<model>.yaml
import os

from datasets import load_dataset
from trl import ModelConfig, RewardConfig, RewardTrainer, ScriptArguments, TrlParser, get_peft_config


def main():
    parser = TrlParser((ScriptArguments, RewardConfig, ModelConfig))
    script_args, training_args, model_args = parser.parse_args_and_config()
    # the splits rewardlab prepared: pre-tokenized chosen_ids / rejected_ids (+ margin), trained on as they are
    data_dir = script_args.dataset_name
    files = {split: os.path.join(data_dir, f"{split}.parquet") for split in ("train", "test")}
    files = {split: f for split, f in files.items() if os.path.exists(f)}
    data = load_dataset("parquet", data_files=files)
    training_args.model_init_kwargs = {"dtype": model_args.dtype}
    # TrlParser hands a one-item YAML list over as a bare string, which PEFT would take as a full-name regex
    if isinstance(model_args.lora_target_modules, str):
        model_args.lora_target_modules = [model_args.lora_target_modules]
    evaluate = training_args.eval_strategy != "no" and "test" in data
    trainer = RewardTrainer(
        model=model_args.model_name_or_path,
        args=training_args,
        train_dataset=data["train"],
        eval_dataset=data["test"] if evaluate else None,
        peft_config=get_peft_config(model_args),
    )
    trainer.train()
    # trainer_state.json at the top of output_dir: the whole log_history, train_runtime included (rewardlab report)
    trainer.save_state()
    trainer.save_model(training_args.output_dir)
    trainer.accelerator.print(f"saved {training_args.output_dir}")


if __name__ == "__main__":
    main()
`;

export interface ReadmeModel {
  readonly name: string;
  readonly config: string;
  readonly model: string;
  readonly trainPairs: number;
  readonly evalPairs: number;
}

export function exportReadme(o: { models: readonly ReadmeModel[]; launch: Readonly<Record<string, readonly string[]>>;
  warnings: readonly string[]; numProcesses: number; recommended: string }): string {
  const lines = (name: string): string => ["```sh", ...(o.launch[name] ?? []), "```"].join("\n");
  return `# TRL export (written by \`rewardlab export-trl\`)

Train the same reward models with TRL's \`RewardTrainer\` under \`accelerate\` (DDP or DeepSpeed ZeRO), on a machine
with a Python that has \`trl\`, \`accelerate\`, \`datasets\` and \`peft\` (plus \`deepspeed\` for the ZeRO lines and
\`tensorboard\` when \`report_to\` says so). Copy this folder there and run the lines from inside it. Each run writes its
TRL output folder (trainer_state.json, checkpoint-N/, the final model, TensorBoard runs/) to \`runs/<model>/\`;
\`rewardlab report runs/<model> ...\` shows it beside rewardlab runs, and \`rewardlab score --model runs/<model>\` scores
with the final model.

| model | TRL config | model | train pairs | eval pairs |
| --- | --- | --- | --- | --- |
${o.models.map((m) => `| ${m.name} | \`${m.config}\` | \`${m.model}\` | ${m.trainPairs} | ${m.evalPairs} |`).join("\n")}

## Command lines

Recommended here: \`${o.recommended}\`.

${o.numProcesses} GPUs, DDP (\`accelerate/ddp.yaml\`):

${lines("ddp")}

One GPU (\`accelerate/single.yaml\`):

${lines("single")}

DeepSpeed ZeRO-2 / ZeRO-3 (\`accelerate/zero2.yaml\`, \`accelerate/zero3.yaml\`; ${o.numProcesses} GPUs):

${lines("zero2")}

${lines("zero3")}

A smoke run on any CPU (DDP over gloo, 2 processes):

${lines("cpu")}

\`trl reward --config configs/<model>.yaml\` reads the same YAML (its \`dataset_name\` is the data folder, whose
\`train.parquet\` / \`test.parquet\` name the splits); \`${LAUNCHER_NAME}\` is the same run as a script.

## Where TRL's semantics differ from rewardlab's

| topic | difference |
| --- | --- |
${o.warnings.map((w) => {
    const i = w.indexOf(": ");
    return `| ${i > 0 ? w.slice(0, i) : ""} | ${(i > 0 ? w.slice(i + 2) : w).replace(/\|/g, "\\|")} |`;
  }).join("\n")}
`;
}
