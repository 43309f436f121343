// The official openai Node SDK against the relay at AIRELAY_URL; prints one JSON report.
import OpenAI from "openai";

const client = new OpenAI({ baseURL: `${process.env.AIRELAY_URL}/v1`, apiKey: "unused", maxRetries: 0 });
const messages = [{ role: "user", content: "hello from node" }];
const report = {};

const chat = await client.chat.completions.create({ model: "gpt-5.4-mini", messages });
report.chat = chat.choices[0].message.content;

let streamed = "";
let usage = null;
const chatStream = await client.chat.completions.create({
  model: "gpt-5.4-mini",
  messages,
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of chatStream) {
  streamed += chunk.choices[0]?.delta?.content ?? "";
  if (chunk.usage) usage = chunk.usage;
}
report.chatStream = streamed;
report.chatStreamUsage = usage;

const response = await client.responses.create({ model: "gpt-5.4-pro", input: "hello from node" });
report.responses = response.output_text;

let deltas = "";
const responseStream = await client.responses.create({ model: "gpt-5.4-pro", input: "hello from node", stream: true });
for await (const event of responseStream) {
  if (event.type === "response.output_text.delta") deltas += event.delta;
}
report.responsesStream = deltas;

const final = await client.responses.stream({ model: "gpt-5.4-pro", input: "hello from node" }).finalResponse();
// finalResponse() carries the output items (not the output_text convenience field).
report.finalResponse = final.output
  .filter((item) => item.type === "message")
  .flatMap((item) => item.content.map((part) => part.text))
  .join("");
report.finalStatus = final.status;

console.log(JSON.stringify(report));
