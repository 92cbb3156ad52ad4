// Turning one side of a pair into token ids as TRL 1.13's RewardTrainer does, per format:
//   text  — the tokenizer's eos token appended unless the text already ends with it (appendEosToken), then encoded
//           with the tokenizer's special tokens (Llama's <|begin_of_text|>, OPT's </s>);
//   chat  — rendered through the chat template and encoded without adding special tokens (the template writes them);
//   ids   — taken as they are (TRL skips all processing of pre-tokenized rows), checked against the vocabulary.
// score, serve and eval encode texts through encodeForReward, the same rule, so a model is scored on what it saw.
import { InputError } from "../errors.js";
import { ChatTemplateRenderError, chatTemplateFor, type ChatMessage, type ChatTemplate, type Tokenizer } from "../tokenizer/index.js";
import type { PairSides } from "./types.js";

export interface EncodeSettings {
  /** Append the eos token to standard (text) data, as TRL does. Default true; the founding study did not. */
  readonly appendEosToken?: boolean;
  /** A chat template file (Jinja, or a tokenizer_config.json) replacing the tokenizer's own. */
  readonly chatTemplate?: string;
  /** Also count the tokens a chat template adds around the message contents (data stats). */
  readonly countTemplateTokens?: boolean;
}

/** The EOS rule of TRL's RewardTrainer for non-conversational text: add eos unless the text ends with it already. */
export function withEos(text: string, eosToken: string | null): string {
  return eosToken === null || text.endsWith(eosToken) ? text : text + eosToken;
}

/** Ids of a text scored by a reward model trained with (appendEosToken true) or without the EOS rule. */
export function encodeForReward(tok: Tokenizer, text: string, appendEosToken: boolean): number[] {
  return tok.encode(appendEosToken ? withEos(text, tok.eosToken) : text);
}

/** Why one pair could not be encoded: counted under `reason` with --skip-invalid, else an error at its record. */
export interface SideFailure {
  readonly field: "chosen" | "rejected";
  readonly message: string;
  readonly reason: string;
}

export class PairEncoder {
  readonly appendEosToken: boolean;
  readonly countTemplateTokens: boolean;

  private constructor(readonly tok: Tokenizer, readonly template: ChatTemplate | null, settings: EncodeSettings,
    private readonly tokenizerSource: string) {
    this.appendEosToken = settings.appendEosToken ?? true;
    this.countTemplateTokens = settings.countTemplateTokens ?? false;
  }

  /**
   * Tokens of a rendered conversation that are not the messages' own: its length minus each content tokenized
   * alone. Exact for templates that put special tokens or newlines around contents; merges across a boundary can
   * move a token or two either way.
   */
  templateTokens(messages: readonly ChatMessage[], renderedLength: number): number {
    let own = 0;
    for (const m of messages) own += this.tok.encode(m.content, { addSpecialTokens: false }).length;
    return renderedLength - own;
  }

  static create(tok: Tokenizer, tokenizerSource: string, settings: EncodeSettings): PairEncoder {
    return new PairEncoder(tok, chatTemplateFor(tokenizerSource, tok, settings.chatTemplate), settings, tokenizerSource);
  }

  /** Ids of one side; a SideFailure for a template that raises on these messages or an id outside the vocabulary. */
  encode(format: PairSides["format"], side: string | readonly ChatMessage[] | readonly number[], field: "chosen" | "rejected"): number[] | SideFailure {
    switch (format) {
      case "text":
        return encodeForReward(this.tok, side as string, this.appendEosToken);
      case "chat":
        return this.encodeChat(side as readonly ChatMessage[], field);
      case "ids": {
        const ids = side as readonly number[];
        const bad = ids.find((id) => id >= this.tok.vocabSize);
        if (bad === undefined) return [...ids];
        return { field, message: `token id ${bad} is outside the tokenizer's vocabulary [0, ${this.tok.vocabSize})`, reason: "with a token id outside the vocabulary" };
      }
    }
  }

  private encodeChat(messages: readonly ChatMessage[], field: "chosen" | "rejected"): number[] | SideFailure {
    if (this.template === null) throw noChatTemplate(this.tokenizerSource);
    let text: string;
    try {
      text = this.template.render(messages);
    } catch (e) {
      if (!(e instanceof ChatTemplateRenderError)) throw e;
      return { field, message: `${e.message} (template ${this.template.describe()})`, reason: "rejected by the chat template" };
    }
    return this.tok.encode(text, { addSpecialTokens: false });
  }
}

/** The error for conversational data and a tokenizer without a template. */
export function noChatTemplate(tokenizerSource: string): InputError {
  return new InputError(`conversational data needs a chat template, and the tokenizer ${tokenizerSource} has none`, undefined,
    "pass one with --chat-template FILE (a .jinja file, or a tokenizer_config.json with a chat_template)");
}
