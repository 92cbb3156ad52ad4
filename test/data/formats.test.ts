// TRL's dataset formats at the reader and the encoder: conversational and pre-tokenized records, their bad forms
// (one line naming file, line and field; counted by reason with skipInvalid), mixed formats, the EOS rule, and the
// chat template's sources and errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cachedTokenizer, encodeForReward, openPrepared, preparePairs, withEos } from "../../src/data/index.js";
import { InputError } from "../../src/errors.js";
import { ChatTemplate, findChatTemplate, readChatTemplateFile } from "../../src/tokenizer/index.js";
import { readAll, tempDir, writeJsonl } from "./helpers.js";

const CHATML = path.resolve("test/fixtures/data/trl-formats/chatml.jinja");
const user = (content: string): { role: string; content: string } => ({ role: "user", content });
const bot = (content: string): { role: string; content: string } => ({ role: "assistant", content });
const conv = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ prompt: [user("hi")], chosen: [bot("hello")], rejected: [bot("go away")], ...extra });

test("readers: conversational explicit puts the prompt messages before each answer; pre-tokenized rows keep their ids", async () => {
  const dir = tempDir();
  const c = writeJsonl(path.join(dir, "c.jsonl"), [conv({ margin: 2 }), JSON.stringify({ chosen: [user("a"), bot("b")], rejected: [user("a"), bot("c")] })]);
  const { pairs } = await readAll(c);
  assert.deepEqual(pairs.map((p) => [p.format, p.chosen, p.rejected, p.margin]), [
    ["chat", [user("hi"), bot("hello")], [user("hi"), bot("go away")], 2],
    ["chat", [user("a"), bot("b")], [user("a"), bot("c")], undefined],
  ]);
  const ids = writeJsonl(path.join(dir, "i.jsonl"), [
    JSON.stringify({ chosen_ids: [1, 2, 3], rejected_ids: [1, 4], chosen: "ignored: TRL uses the ids" }),
    JSON.stringify({ chosen_ids: [5], rejected_ids: [6, 7] }),
  ]);
  assert.deepEqual((await readAll(ids)).pairs.map((p) => [p.format, p.chosen, p.rejected]), [["ids", [1, 2, 3], [1, 4]], ["ids", [5], [6, 7]]]);
  const study = writeJsonl(path.join(dir, "s.jsonl"), [
    JSON.stringify({ input_ids_chosen: [9, 8], attention_mask_chosen: [1, 1], input_ids_rejected: [9], attention_mask_rejected: [1] }),
  ]);
  assert.deepEqual((await readAll(study)).pairs.map((p) => [p.format, p.chosen, p.rejected]), [["ids", [9, 8], [9]]]);
});

// Each bad record between two good conversational ones: the message and the reason counted with skipInvalid.
const BAD: [string, string, string][] = [
  [conv({ chosen: [{ content: "x" }] }), 'field "chosen[0].role": missing', 'with a message without "role"'],
  [conv({ rejected: [{ role: "assistant" }] }), 'field "rejected[0].content": missing', 'with a message without "content"'],
  [conv({ chosen: [{ role: "assistant", content: [{ type: "text", text: "x" }] }] }), 'field "chosen[0].content": expected string, got array', 'with non-string message "content"'],
  [conv({ rejected: [] }), 'field "rejected": expected at least one message', 'with empty "rejected"'],
  [conv({ prompt: "hi" }), 'field "prompt": expected a list of messages, got string "hi"', 'with non-list "prompt"'],
  [conv({ chosen: ["hello"] }), 'field "chosen[0]": expected a message', "with a message that is not an object"],
  ['{"chosen": "plain", "rejected": "text"}', "standard (text) record in conversational (message lists) data (first record at", "in a second format (text)"],
  ['{"chosen_ids": [1, -2], "rejected_ids": [3]}', 'field "chosen_ids[1]": expected a non-negative integer token id, got number -2', 'with a bad id in "chosen_ids"'],
  ['{"input_ids_chosen": [1, 2], "attention_mask_chosen": [1, 0], "input_ids_rejected": [3]}', 'field "attention_mask_chosen[1]": expected 1', 'with padding in "attention_mask_chosen"'],
];

for (const [line, message, reason] of BAD) {
  test(`bad conversational / pre-tokenized record → InputError at file:line (${reason})`, async () => {
    const f = writeJsonl(path.join(tempDir(), "bad.jsonl"), [conv(), line, conv()]);
    await assert.rejects(readAll(f), (e: unknown) => {
      assert.ok(e instanceof InputError);
      const text = e.format();
      assert.ok(text.startsWith(`${f}:2:`), text);
      assert.ok(text.includes(message), text);
      assert.ok(!text.includes("\n"), text);
      return true;
    });
    const { pairs, skipped } = await readAll(f, { skipInvalid: true });
    assert.equal(pairs.length, 2);
    assert.deepEqual(skipped.toJSON(), { [reason]: 1 });
  });
}

test("EOS rule: appended once, not to text that ends with it; score's encoder applies the same rule", async () => {
  const tok = await cachedTokenizer("builtin:gpt2");
  assert.equal(withEos("Hi", "<|endoftext|>"), "Hi<|endoftext|>");
  assert.equal(withEos("Hi<|endoftext|>", "<|endoftext|>"), "Hi<|endoftext|>");
  assert.equal(withEos("Hi", null), "Hi");
  assert.deepEqual(encodeForReward(tok, "Hi there", true), [...tok.encode("Hi there"), 50256]);
  assert.deepEqual(encodeForReward(tok, "Hi there<|endoftext|>", true), [...tok.encode("Hi there"), 50256]);
  assert.deepEqual(encodeForReward(tok, "Hi there", false), tok.encode("Hi there"));
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "d.jsonl"), [JSON.stringify({ prompt: "Q:", chosen: " yes", rejected: " no<|endoftext|>" })]);
  for (const appendEosToken of [true, false]) {
    const out = path.join(dir, `o-${appendEosToken}`);
    await preparePairs({ tokenizer: "builtin:gpt2", data, out, threads: 0, encoding: { appendEosToken } });
    const p = openPrepared(out);
    assert.deepEqual(Array.from(p.pair(0).input_ids_chosen), appendEosToken ? [...tok.encode("Q: yes"), 50256] : tok.encode("Q: yes"));
    assert.deepEqual(Array.from(p.pair(0).input_ids_rejected), [...tok.encode("Q: no"), 50256]);
    assert.equal(p.meta.encoding?.appendEosToken, appendEosToken);
  }
});

test("pre-tokenized rows pass through; an id outside the vocabulary fails its record", async () => {
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "ids.jsonl"), [
    JSON.stringify({ chosen_ids: [10, 11, 12], rejected_ids: [10, 13], margin: 1 }),
    JSON.stringify({ chosen_ids: [10, 50257], rejected_ids: [10], margin: 0 }),
  ]);
  await assert.rejects(preparePairs({ tokenizer: "builtin:gpt2", data, out: path.join(dir, "o"), threads: 0 }),
    (e: unknown) => e instanceof InputError && e.format().startsWith(`${data}:2: field "chosen": token id 50257 is outside the tokenizer's vocabulary`));
  const s = await preparePairs({ tokenizer: "builtin:gpt2", data, out: path.join(dir, "o"), threads: 0, skipInvalid: true });
  assert.deepEqual(s.skipped.toJSON(), { "with a token id outside the vocabulary": 1 });
  const p = openPrepared(path.join(dir, "o")).pair(0);
  assert.deepEqual([Array.from(p.input_ids_chosen), Array.from(p.input_ids_rejected), p.sharedPrefix, p.margin], [[10, 11, 12], [10, 13], 1, 1]);
});

test("chat template: the template's raise_exception fails the record at file:line; --skip-invalid counts it", async () => {
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "c.jsonl"), [conv(), JSON.stringify({ chosen: [{ role: "bot", content: "x" }], rejected: [bot("y")] })]);
  const opts = { tokenizer: "builtin:gpt2", data, out: path.join(dir, "o"), threads: 0, encoding: { chatTemplate: CHATML } };
  await assert.rejects(preparePairs(opts), (e: unknown) => e instanceof InputError &&
    e.format() === `${data}:2: field "chosen": chat template error: Unknown role: bot (template ${CHATML})`);
  const s = await preparePairs({ ...opts, skipInvalid: true });
  assert.equal(s.written, 1);
  assert.deepEqual(s.skipped.toJSON(), { "rejected by the chat template": 1 });
  assert.equal(openPrepared(path.join(dir, "o")).meta.encoding?.chatTemplate, CHATML);
});

test("chat template: none for conversational data, or a syntax error → one line that says what to do", async () => {
  const dir = tempDir();
  const data = writeJsonl(path.join(dir, "c.jsonl"), [conv()]);
  await assert.rejects(preparePairs({ tokenizer: "builtin:gpt2", data, out: path.join(dir, "o"), threads: 0 }), (e: unknown) =>
    e instanceof InputError && e.format() === `${data}:1: field "chosen": conversational data needs a chat template, and the tokenizer builtin:gpt2 has none` &&
    (e.hint ?? "").includes("--chat-template FILE"));
  const bad = path.join(dir, "bad.jinja");
  writeFileSync(bad, "{% for m in messages %}{{ m.content }");
  await assert.rejects(preparePairs({ tokenizer: "builtin:gpt2", data, out: path.join(dir, "o"), threads: 2, encoding: { chatTemplate: bad } }),
    (e: unknown) => e instanceof InputError && e.format().startsWith(`${bad}: chat template syntax error:`) && !e.format().includes("\n"));
  // a lexer error gets its line: the file's own for a .jinja file, the template's inside tokenizer_config.json
  const lexBad = "{% for m in messages %}\n{{ m.content }}\n{{ m.role ; }}\n{% endfor %}";
  writeFileSync(bad, lexBad);
  const config = path.join(dir, "tokenizer_config.json");
  writeFileSync(config, JSON.stringify({ chat_template: lexBad }));
  const expected: [string, string][] = [[bad, `${bad}:3: chat template syntax error: Unexpected character: ;`],
    [config, `${config}: field "chat_template": chat template syntax error: Unexpected character: ; (template line 3)`]];
  for (const [file, line] of expected) {
    await assert.rejects(preparePairs({ tokenizer: "builtin:gpt2", data, out: path.join(dir, "o"), threads: 0, encoding: { chatTemplate: file } }),
      (e: unknown) => e instanceof InputError && e.format() === line);
  }
});

test("chat template sources: chat_template.jinja first, then tokenizer_config.json (a string, or the list's \"default\")", () => {
  const dir = tempDir();
  const config = path.join(dir, "tokenizer_config.json");
  assert.equal(findChatTemplate(dir), undefined);
  assert.equal(findChatTemplate("builtin:gpt2"), undefined);
  writeFileSync(config, JSON.stringify({ chat_template: [{ name: "tool_use", template: "T" }, { name: "default", template: "D{{ eos_token }}" }] }));
  assert.deepEqual(findChatTemplate(dir), { text: "D{{ eos_token }}", where: { file: config, field: "chat_template[1].template" } });
  assert.equal(new ChatTemplate(findChatTemplate(dir) as never, { eos_token: "</s>" }).render([user("x")]), "D</s>");
  writeFileSync(path.join(dir, "chat_template.jinja"), "J");
  assert.deepEqual(findChatTemplate(dir), { text: "J", where: { file: path.join(dir, "chat_template.jinja") } });
  const other = path.join(dir, "sub");
  mkdirSync(other);
  writeFileSync(path.join(other, "tokenizer_config.json"), JSON.stringify({ chat_template: [{ name: "tool_use", template: "T" }] }));
  assert.throws(() => findChatTemplate(other), (e: unknown) => e instanceof InputError && /none is "default"/.test(e.message));
  assert.deepEqual(readChatTemplateFile(config).text, "D{{ eos_token }}");
  assert.throws(() => readChatTemplateFile(path.join(dir, "missing.jinja")), InputError);
});

test("chat template variables: special tokens, add_generation_prompt false, messages as given", () => {
  const t = new ChatTemplate({ text: "{{ bos_token }}|{{ add_generation_prompt }}|{% for m in messages %}{{ m.role }}={{ m.content }};{% endfor %}|{{ tools is none }}", where: { file: "t" } },
    { bos_token: "<s>" });
  assert.equal(t.render([user("a"), bot(" b ")]), "<s>|false|user=a;assistant= b ;|true");
});

test("hub layout: split names such as train_prefs, message lists from Parquet, a string prompt the conversations open with", async () => {
  const hub = path.resolve("test/fixtures/data/hub-prefs");
  const train = await readAll(hub, { split: "train_prefs" });
  assert.deepEqual(train.files, [path.join(hub, "data/train_prefs-00000-of-00001.parquet")]);
  assert.equal(train.pairs.length, 3);
  const q = "train_prefs question 1: what is 1 + 1?";
  assert.deepEqual([train.pairs[1]?.format, train.pairs[1]?.chosen, train.pairs[1]?.rejected],
    ["chat", [user(q), bot("It is 2.")], [user(q), bot("Maybe 3?")]]);
  assert.equal((await readAll(hub, { split: "test_prefs" })).pairs.length, 2);
  const ids = await readAll(path.join(hub, "pretokenized.parquet"));
  assert.deepEqual(ids.pairs.map((p) => [p.format, p.chosen, p.rejected, p.margin]), [["ids", [15496, 11, 995], [15496, 0], 0.5]]);
  const other = writeJsonl(path.join(tempDir(), "p.jsonl"), [JSON.stringify({ prompt: "not the first turn", chosen: [user("a"), bot("b")], rejected: [user("a"), bot("c")] })]);
  await assert.rejects(readAll(other), (e: unknown) => e instanceof InputError && e.format().includes('field "prompt": expected a list of messages'));
});
