// Chat templates as transformers applies them: the Jinja text of tokenizer_config.json "chat_template" (a string, or
// a list of named templates of which "default" is used) or of chat_template.jinja, rendered with @huggingface/jinja
// and the variables apply_chat_template passes (messages, the named special tokens, add_generation_prompt false,
// raise_exception, strftime_now; no tools, no documents). The rendered text is tokenized without adding special
// tokens again, as apply_chat_template(tokenize=True) does; that step is the caller's (src/data).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Template, tokenize } from "@huggingface/jinja";
import { InputError, type Where } from "../errors.js";
import type { Tokenizer } from "./tokenizer.js";

/** One turn of a conversation: TRL's conversational format ({"role", "content"} with string content). */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** The named special tokens transformers passes to a template (its special_tokens_map): only those that are set. */
export type TemplateSpecialTokens = Partial<Record<"bos_token" | "eos_token" | "pad_token" | "unk_token", string>>;

/** Where a template came from: the file, and the field of tokenizer_config.json when it is one. */
export interface ChatTemplateText {
  readonly text: string;
  readonly where: Where;
}

/**
 * The error a template raises on purpose (raise_exception, @huggingface/jinja's own global, which throws its
 * argument as the message) or stumbles into while rendering one conversation; transformers fails on both alike.
 */
export class ChatTemplateRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChatTemplateRenderError";
  }
}

export class ChatTemplate {
  private compiled: Template | undefined;

  constructor(readonly source: ChatTemplateText, private readonly specials: TemplateSpecialTokens) {}

  /** "tokenizer_config.json field chat_template" or the template file: for messages. */
  describe(): string {
    return `${this.source.where.file}${this.source.where.field !== undefined ? ` (field "${this.source.where.field}")` : ""}`;
  }

  /**
   * Parses the template on first use, so a tokenizer whose template this Jinja cannot read still serves text data.
   * A syntax error is an InputError naming the template's file and field.
   */
  private template(): Template {
    if (this.compiled === undefined) {
      try {
        this.compiled = new Template(this.source.text);
      } catch (e) {
        const message = oneLine((e as Error).message);
        const line = lexerErrorLine(this.source.text, message);
        const inFile = line !== undefined && this.source.where.field === undefined; // a .jinja file: its own line numbers
        throw new InputError(`chat template syntax error: ${message}${line !== undefined && !inFile ? ` (template line ${line})` : ""}`,
          inFile ? { ...this.source.where, line } : this.source.where, "fix the template, or pass another with --chat-template FILE");
      }
    }
    return this.compiled;
  }

  /** The conversation's text; ChatTemplateRenderError when the template raises or fails on these messages. */
  render(messages: readonly ChatMessage[]): string {
    const template = this.template();
    try {
      return template.render({
        ...this.specials,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: false,
        tools: null,
        documents: null,
      });
    } catch (e) {
      throw new ChatTemplateRenderError(`chat template error: ${oneLine((e as Error).message)}`);
    }
  }
}

/**
 * The line of a lexer error (an unexpected character, a bad escape): the first line at whose end the template's text
 * fails to lex with the same message. @huggingface/jinja reports no positions; parser errors (an unclosed block) get
 * no line, since every prefix of a template with blocks is unbalanced.
 */
function lexerErrorLine(text: string, message: string): number | undefined {
  try {
    tokenize(text, { lstrip_blocks: true, trim_blocks: true });
    return undefined;
  } catch {
    // a lexer error: find where it starts
  }
  const lines = text.split("\n");
  for (let n = 1; n <= lines.length; n++) {
    try {
      tokenize(lines.slice(0, n).join("\n"), { lstrip_blocks: true, trim_blocks: true });
    } catch (e) {
      if (oneLine((e as Error).message) === message) return n;
    }
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read chat template: ${(e as Error).message}`, { file });
  }
}

/** A template file given on the command line (--chat-template): Jinja text, or a tokenizer_config.json holding one. */
export function readChatTemplateFile(file: string): ChatTemplateText {
  if (!existsSync(file)) throw new InputError("chat template file not found", { file }, "pass a .jinja file with the template text");
  if (file.toLowerCase().endsWith(".json")) {
    const found = templateOfConfig(file);
    if (found === undefined) throw new InputError("no chat_template in this JSON file", { file, field: "chat_template" });
    return found;
  }
  return { text: readText(file), where: { file } };
}

/** The chat_template of a tokenizer_config.json: a string, or [{name, template}, ...] of which "default" is used. */
function templateOfConfig(file: string): ChatTemplateText | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readText(file));
  } catch (e) {
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file });
  }
  const v = typeof data === "object" && data !== null ? (data as Record<string, unknown>).chat_template : undefined;
  if (v === undefined || v === null) return undefined;
  const field = "chat_template";
  if (typeof v === "string") return { text: v, where: { file, field } };
  if (Array.isArray(v)) {
    const names: string[] = [];
    for (const [i, t] of v.entries()) {
      const o = typeof t === "object" && t !== null ? (t as Record<string, unknown>) : {};
      if (typeof o.name !== "string" || typeof o.template !== "string") {
        throw new InputError(`expected {"name": string, "template": string}, got ${JSON.stringify(t).slice(0, 80)}`, { file, field: `${field}[${i}]` });
      }
      if (o.name === "default") return { text: o.template, where: { file, field: `${field}[${i}].template` } };
      names.push(o.name);
    }
    throw new InputError(`several named chat templates and none is "default" (found ${names.join(", ")})`, { file, field },
      "pass the one to use with --chat-template FILE");
  }
  throw new InputError(`expected a string or a list of named templates, got ${typeof v}`, { file, field });
}

/**
 * The chat template a tokenizer source carries: chat_template.jinja next to its files (written by recent
 * transformers), else tokenizer_config.json "chat_template"; undefined when it has none (GPT-2, "builtin:gpt2").
 */
export function findChatTemplate(tokenizerSource: string): ChatTemplateText | undefined {
  if (tokenizerSource.startsWith("builtin:") || !existsSync(tokenizerSource)) return undefined;
  const dir = statSync(tokenizerSource).isDirectory() ? tokenizerSource : path.dirname(tokenizerSource);
  const jinja = path.join(dir, "chat_template.jinja");
  if (existsSync(jinja)) return { text: readText(jinja), where: { file: jinja } };
  const config = path.join(dir, "tokenizer_config.json");
  return existsSync(config) ? templateOfConfig(config) : undefined;
}

/** The special-token variables a tokenizer gives its template (transformers' special_tokens_map: the set ones only). */
export function templateSpecialTokens(tok: Pick<Tokenizer, "bosToken" | "eosToken" | "padToken" | "unkToken">): TemplateSpecialTokens {
  const out: Record<string, string> = {};
  const named = { bos_token: tok.bosToken, eos_token: tok.eosToken, pad_token: tok.padToken, unk_token: tok.unkToken };
  for (const [k, v] of Object.entries(named)) if (v !== null) out[k] = v;
  return out;
}

/**
 * The template used for a tokenizer: `overrideFile` (--chat-template) when given, else the tokenizer source's own;
 * null when there is none (conversational data then fails with a hint to pass one).
 */
export function chatTemplateFor(tokenizerSource: string, tok: Tokenizer, overrideFile?: string): ChatTemplate | null {
  const text = overrideFile !== undefined ? readChatTemplateFile(overrideFile) : findChatTemplate(tokenizerSource);
  return text === undefined ? null : new ChatTemplate(text, templateSpecialTokens(tok));
}
