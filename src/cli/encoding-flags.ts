// The flags that say how preference texts become token ids, shared by prepare and data stats (train takes
// append_eos_token as a RewardConfig field and --chat-template as its own flag).
import type { EncodeSettings } from "../data/index.js";
import { str, type FlagSpecs, type ParsedArgs } from "./args.js";

export const CHAT_TEMPLATE_FLAG: FlagSpecs = {
  "chat-template": { kind: "string", help: "chat template for conversational data: a .jinja file or a tokenizer_config.json (default: the tokenizer's own)" },
};

export const ENCODING_FLAGS: FlagSpecs = {
  "append-eos-token": { kind: "boolean", help: "append the tokenizer's eos token to standard text, as TRL does (--no-append-eos-token: text as given)", default: true },
  ...CHAT_TEMPLATE_FLAG,
};

export function encodingSettings(a: ParsedArgs): EncodeSettings {
  const chatTemplate = str(a, "chat-template");
  return { appendEosToken: a.flags.get("append-eos-token") !== false, ...(chatTemplate !== undefined ? { chatTemplate } : {}) };
}

/** "standard text, eos token appended" and the like: how prepare and data stats say what they did. */
export function describeEncoding(e: { dataFormat: string | null; appendEosToken: boolean; chatTemplate: string | null }): string {
  switch (e.dataFormat) {
    case "text": return `standard text${e.appendEosToken ? ", eos token appended (TRL)" : ", tokenized as given"}`;
    case "chat": return `conversational, rendered with the chat template of ${e.chatTemplate ?? "?"}`;
    case "ids": return "pre-tokenized ids, taken as given";
    default: return "no pairs";
  }
}
