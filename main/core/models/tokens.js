// @ts-check
// Token counts with a real tokenizer (gpt-tokenizer, cl100k_base), for budget checks before a
// call, streams that carry no usage, and dry runs. Loaded only when one of those needs it:
// measured on this machine, importing cl100k_base costs ~55 ms and ~40 MB (o200k_base ~105 ms,
// ~75 MB), so a run that never counts never pays. Local models use other vocabularies, so for
// them the count is an estimate either way; it is marked as such where it is recorded.

/** @type {Promise<(text: string) => number[]> | null} */
let loading = null;

function encoder() {
  loading ??= import('gpt-tokenizer/encoding/cl100k_base').then((m) => m.encode);
  return loading;
}

/** @param {string} text */
export async function countText(text) {
  const encode = await encoder();
  return encode(text).length;
}

/**
 * A chat prompt's tokens as OpenAI counts them: each message's content plus ~4 tokens of framing
 * (role and separators), plus 3 for the reply's priming.
 * @param {{ role: string, content: unknown }[]} messages
 */
export async function countMessages(messages) {
  const encode = await encoder();
  let n = 3;
  for (const m of messages) {
    const content = typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '');
    n += 4 + encode(content).length + encode(String(m.role ?? '')).length;
  }
  return n;
}
