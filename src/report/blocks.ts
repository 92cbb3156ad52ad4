// The report as data: sections of blocks (paragraphs, notes, tables, charts) that html.ts and markdown.ts render,
// so both files always say the same thing.
import type { RunRecord } from "./collect.js";
import type { ModelSummary } from "./summary.js";

export interface Cell {
  readonly text: string;
  /** The raw number behind the text (written as data-value in HTML), so a reader or test can check it. */
  readonly value?: number;
  readonly field?: string;
  readonly model?: string;
  readonly header?: boolean;
}

export type Block =
  | { readonly kind: "p"; readonly text: string }
  | { readonly kind: "note"; readonly text: string }
  | { readonly kind: "list"; readonly items: readonly string[] }
  | { readonly kind: "table"; readonly id: string; readonly head: readonly Cell[]; readonly rows: readonly (readonly Cell[])[]; readonly caption?: string }
  | { readonly kind: "chart"; readonly id: string; readonly title: string; readonly svg: string; readonly caption?: string };

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export interface ReportDoc {
  readonly title: string;
  readonly subtitle: string;
  readonly answer: string;
  readonly models: readonly { readonly name: string; readonly color: string }[];
  readonly sections: readonly Section[];
}

/** Run records plus what the sections share: each run's summary figures and colour. */
export interface RunView {
  readonly run: RunRecord;
  readonly summary: ModelSummary;
  readonly color: string;
}

/** A cell for one figure of one model: formatted text plus the raw value, or "not recorded". */
export function figureCell(m: ModelSummary, field: keyof ModelSummary, format: (v: number) => string): Cell {
  const v = m[field];
  if (typeof v !== "number") return { text: "not recorded", field, model: m.name };
  return { text: format(v), value: v, field, model: m.name };
}

