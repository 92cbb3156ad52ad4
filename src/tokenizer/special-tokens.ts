// Special and added tokens from the HF config files, in the order transformers reads them:
// added_tokens.json, tokenizer.json "added_tokens" and tokenizer_config.json "added_tokens_decoder" (fixed ids), then
// the named special tokens (bos/eos/pad/unk/additional_special_tokens) of tokenizer_config.json, overridden by
// special_tokens_map.json. A named token may be a string or a dict {"content": "</s>", ...}; both are accepted.

import { InputError } from "../errors.js";
import type { AddedToken } from "./added-tokens.js";
import type { SpecialTokenInfo } from "./tokenizer.js";

/** A parsed JSON file: its path (for messages) and its top-level object. */
export interface JsonFile {
  readonly file: string;
  readonly data: Record<string, unknown>;
}

export interface TokenSpec {
  readonly content: string;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

export const NAMED_SPECIALS = ["bos_token", "eos_token", "pad_token", "unk_token"] as const;
export type NamedSpecial = (typeof NAMED_SPECIALS)[number];

export interface SpecialTokens {
  /** Tokens with a fixed id (tokenizer.json added_tokens, tokenizer_config added_tokens_decoder). */
  readonly withIds: readonly AddedToken[];
  readonly named: Partial<Record<NamedSpecial, TokenSpec>>;
  readonly additional: readonly TokenSpec[];
}

function flag(obj: Record<string, unknown>, key: string, file: string, fallback: boolean): boolean {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw new InputError(`expected a boolean, got ${JSON.stringify(v)}`, { file, field: key });
  return v;
}

/** "</s>" or {"content": "</s>", "lstrip": false, ...}; null → undefined (no such token). */
export function parseTokenSpec(v: unknown, file: string, field: string): TokenSpec | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return { content: v, lstrip: false, rstrip: false };
  if (typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.content === "string") {
      return { content: o.content, lstrip: flag(o, "lstrip", file, false), rstrip: flag(o, "rstrip", file, false) };
    }
  }
  throw new InputError(`expected a token string or {"content": string, ...}, got ${JSON.stringify(v)}`, { file, field },
    'write e.g. "</s>" or {"content": "</s>"}');
}

function parseIdEntry(o: unknown, id: unknown, file: string, field: string): AddedToken {
  const spec = parseTokenSpec(o, file, field);
  if (spec === undefined || typeof o !== "object" || o === null) {
    throw new InputError(`expected an added token object, got ${JSON.stringify(o)}`, { file, field });
  }
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
    throw new InputError(`expected a non-negative integer id, got ${JSON.stringify(id)}`, { file, field });
  }
  const rec = o as Record<string, unknown>;
  const special = flag(rec, "special", file, false);
  return {
    id, content: spec.content, special, lstrip: spec.lstrip, rstrip: spec.rstrip,
    singleWord: flag(rec, "single_word", file, false), normalized: flag(rec, "normalized", file, !special),
  };
}

/** Collects added and special tokens from whichever of the files exist (added_tokens.json: legacy {token: id}). */
export function parseSpecialTokens(tokenizerJson?: JsonFile, config?: JsonFile, map?: JsonFile, legacy?: JsonFile): SpecialTokens {
  const withIds: AddedToken[] = [];
  if (legacy !== undefined) {
    for (const [content, id] of Object.entries(legacy.data)) {
      withIds.push(parseIdEntry({ content }, id, legacy.file, content));
    }
  }
  if (tokenizerJson !== undefined && tokenizerJson.data.added_tokens !== undefined) {
    const list = tokenizerJson.data.added_tokens;
    if (!Array.isArray(list)) throw new InputError("expected an array", { file: tokenizerJson.file, field: "added_tokens" });
    list.forEach((t: unknown, i) => {
      const id = typeof t === "object" && t !== null ? (t as Record<string, unknown>).id : undefined;
      withIds.push(parseIdEntry(t, id, tokenizerJson.file, `added_tokens[${i}]`));
    });
  }
  const decoderMap = config?.data.added_tokens_decoder;
  if (config !== undefined && decoderMap !== undefined) {
    if (typeof decoderMap !== "object" || decoderMap === null || Array.isArray(decoderMap)) {
      throw new InputError("expected an object {id: token}", { file: config.file, field: "added_tokens_decoder" });
    }
    for (const [key, t] of Object.entries(decoderMap)) {
      withIds.push(parseIdEntry(t, Number(key), config.file, `added_tokens_decoder.${key}`));
    }
  }
  const named: Partial<Record<NamedSpecial, TokenSpec>> = {};
  let additional: TokenSpec[] = [];
  for (const f of [config, map]) {
    if (f === undefined) continue;
    for (const key of NAMED_SPECIALS) {
      if (!(key in f.data)) continue;
      const spec = parseTokenSpec(f.data[key], f.file, key);
      if (spec === undefined) delete named[key];
      else named[key] = spec;
    }
    const extra = f.data.additional_special_tokens;
    if (extra !== undefined && extra !== null) {
      if (!Array.isArray(extra)) throw new InputError("expected an array", { file: f.file, field: "additional_special_tokens" });
      additional = extra.map((t: unknown, i) => {
        const spec = parseTokenSpec(t, f.file, `additional_special_tokens[${i}]`);
        if (spec === undefined) throw new InputError("expected a token, got null", { file: f.file, field: `additional_special_tokens[${i}]` });
        return spec;
      });
    }
  }
  return { withIds, named, additional };
}

export interface ResolvedTokens {
  /** Every added token, with its id. */
  readonly addedTokens: readonly AddedToken[];
  readonly info: SpecialTokenInfo;
  /** One past the largest id (HF's len(tokenizer)). */
  readonly size: number;
}

/**
 * Gives the named and additional special tokens their ids: fixed ids first; then named specials, which reuse an
 * id when the token exists and are appended after the last id otherwise (as transformers' add_special_tokens does).
 */
export function resolveSpecialTokens(vocab: ReadonlyMap<string, number>, specials: SpecialTokens,
  modelMaxLength: number | null): ResolvedTokens {
  const added = new Map<string, AddedToken>();
  for (const t of specials.withIds) added.set(t.content, t);
  let nextId = 0;
  for (const id of vocab.values()) nextId = Math.max(nextId, id + 1);
  for (const t of specials.withIds) nextId = Math.max(nextId, t.id + 1);
  const idOf = (s: TokenSpec): number => {
    const known = added.get(s.content)?.id ?? vocab.get(s.content);
    const id = known ?? nextId++;
    if (!added.has(s.content)) {
      added.set(s.content, { id, content: s.content, special: true, lstrip: s.lstrip, rstrip: s.rstrip, singleWord: false, normalized: false });
    }
    return id;
  };
  const ids: Partial<Record<NamedSpecial, number>> = {};
  for (const key of NAMED_SPECIALS) {
    const s = specials.named[key];
    if (s !== undefined) ids[key] = idOf(s);
  }
  for (const s of specials.additional) idOf(s);
  const { named } = specials;
  return {
    addedTokens: [...added.values()],
    info: {
      bosToken: named.bos_token?.content ?? null,
      eosToken: named.eos_token?.content ?? null,
      padToken: named.pad_token?.content ?? null,
      unkToken: named.unk_token?.content ?? null,
      bosTokenId: ids.bos_token ?? null,
      eosTokenId: ids.eos_token ?? null,
      padTokenId: ids.pad_token ?? null,
      unkTokenId: ids.unk_token ?? null,
      modelMaxLength,
    },
    size: nextId,
  };
}
