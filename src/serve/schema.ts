// The HTTP API's request and response shapes, and the one parser that turns a request body (unknown JSON) into a
// typed ScoreRequest. A bad field is a RequestError that names its JSON path ("texts[3]", "pairs[0].chosen").

/** POST /score bodies: {"texts": [...]} or {"pairs": [{"chosen", "rejected"}, ...]}. */
export type ScoreRequest =
  | { readonly kind: "texts"; readonly texts: readonly string[] }
  | { readonly kind: "pairs"; readonly pairs: readonly { readonly chosen: string; readonly rejected: string }[] };

/** POST /score answers, in input order. `truncated` counts texts cut on the right to max_length. */
export type ScoreResponse =
  | { rewards: number[]; truncated: number }
  | { pairs: { chosen_reward: number; rejected_reward: number; margin: number }[]; truncated: number };

/**
 * POST /get_reward, OpenRLHF's remote reward model protocol (its --remote_rm_url): `query` holds the full texts
 * (prompt + response) to score; `prompts` and `labels`, when sent, have one entry per query and are accepted but not
 * needed by a reward model.
 */
export interface GetRewardRequest {
  readonly query: readonly string[];
}

/** POST /get_reward answers: `scores` repeats `rewards` (OpenRLHF reads either); extra_logs holds per-query lists. */
export interface GetRewardResponse {
  rewards: number[];
  scores: number[];
  extra_logs: Record<string, number[]>;
}

/** GET /info. */
export interface ServerInfo {
  model_type: string;
  /** the --model argument: a folder or a hub id */
  source: string;
  parameters: number;
  /** tokens kept per text (right truncation) */
  max_length: number;
  /** texts per forward pass */
  max_batch: number;
  /** padded tokens per forward pass */
  max_batch_tokens: number;
  /** how long a request waits for others to share its forward passes */
  max_wait_ms: number;
  /** concurrent requests share forward passes */
  batching: boolean;
  /** texts sharing a token prefix are scored in one row */
  prefix_sharing: boolean;
  /** texts per request (a pair is two) */
  max_texts: number;
  /** rewards are (r - mean) / std with these, or null */
  normalize: { mean: number; std: number } | null;
  /** the tokenizer argument, or the model folder when its own files are used */
  tokenizer: string;
  pad_token_id: number;
}

/** Error answers: {"error": "texts[3]: expected a string, got 3", "field": "texts[3]"}; field is null for the body. */
export interface ErrorBody {
  error: string;
  field: string | null;
  hint?: string;
}

/** A request the server refuses; `status` is the HTTP status it answers with. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | null = null,
    readonly hint?: string,
  ) {
    super(field === null ? message : `${field}: ${message}`);
    this.name = "RequestError";
  }

  body(): ErrorBody {
    return { error: this.message, field: this.field, ...(this.hint !== undefined ? { hint: this.hint } : {}) };
  }
}

const EXAMPLE = 'send {"texts": ["..."]} or {"pairs": [{"chosen": "...", "rejected": "..."}]}';

/** What a JSON value is, for "expected X, got Y" messages: `3`, `null`, `an array`, `an object`. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && v !== null) return "an object";
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A body as a JSON object; a 400 when it is not JSON or not an object. */
function parseObject(raw: string, example: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new RequestError(400, `body is not JSON: ${(e as Error).message}`, null, example);
  }
  if (!isObject(v)) throw new RequestError(400, `body: expected a JSON object, got ${describe(v)}`, null, example);
  return v;
}

/** An array of strings at `field`; a 400 naming the first entry that is not a string. */
function stringArray(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw new RequestError(400, `expected an array of strings, got ${describe(v)}`, field);
  v.forEach((t: unknown, i) => {
    if (typeof t !== "string") throw new RequestError(400, `expected a string, got ${describe(t)}`, `${field}[${i}]`);
  });
  return v as string[];
}

const GET_REWARD_EXAMPLE = 'send {"query": ["prompt + response", ...]} (OpenRLHF\'s remote reward model protocol)';

/** Parses the raw body of POST /get_reward; throws RequestError (400) naming the first bad field. */
export function parseGetRewardRequest(raw: string): GetRewardRequest {
  const v = parseObject(raw, GET_REWARD_EXAMPLE);
  const unknown = Object.keys(v).filter((k) => k !== "query" && k !== "prompts" && k !== "labels");
  if (unknown.length > 0) throw new RequestError(400, 'unknown field (known: "query", "prompts", "labels")', unknown[0] as string, GET_REWARD_EXAMPLE);
  if (!("query" in v)) throw new RequestError(400, 'expected a "query" field', null, GET_REWARD_EXAMPLE);
  const query = stringArray(v["query"], "query");
  for (const side of ["prompts", "labels"] as const) {
    const x = v[side];
    if (x === undefined || x === null) continue;
    if (!Array.isArray(x)) throw new RequestError(400, `expected an array (one entry per query), got ${describe(x)}`, side);
    if (x.length !== query.length) throw new RequestError(400, `has ${x.length} entries for ${query.length} queries`, side, "send one per query, or leave it out");
  }
  return { query };
}

/** Parses the raw body of POST /score; throws RequestError (400) naming the first bad field. */
export function parseScoreRequest(raw: string): ScoreRequest {
  const v = parseObject(raw, EXAMPLE);
  const unknown = Object.keys(v).filter((k) => k !== "texts" && k !== "pairs");
  if (unknown.length > 0) throw new RequestError(400, `unknown field (known: "texts", "pairs")`, unknown[0] as string, EXAMPLE);
  if ("texts" in v && "pairs" in v) throw new RequestError(400, 'send "texts" or "pairs", not both', null, EXAMPLE);
  if ("texts" in v) {
    return { kind: "texts", texts: stringArray(v["texts"], "texts") };
  }
  if ("pairs" in v) {
    const pairs = v["pairs"];
    if (!Array.isArray(pairs)) throw new RequestError(400, `expected an array of {"chosen", "rejected"} objects, got ${describe(pairs)}`, "pairs");
    return {
      kind: "pairs",
      pairs: pairs.map((p: unknown, i) => {
        if (!isObject(p)) throw new RequestError(400, `expected an object {"chosen", "rejected"}, got ${describe(p)}`, `pairs[${i}]`);
        const extra = Object.keys(p).find((k) => k !== "chosen" && k !== "rejected");
        if (extra !== undefined) throw new RequestError(400, `unknown field (known: "chosen", "rejected")`, `pairs[${i}].${extra}`);
        for (const side of ["chosen", "rejected"] as const) {
          if (typeof p[side] !== "string") throw new RequestError(400, `expected a string, got ${describe(p[side])}`, `pairs[${i}].${side}`);
        }
        return { chosen: p["chosen"] as string, rejected: p["rejected"] as string };
      }),
    };
  }
  throw new RequestError(400, 'expected a "texts" or a "pairs" field', null, EXAMPLE);
}
