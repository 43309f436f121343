// The Vercel AI SDK against the relay at AIRELAY_URL: both routes, plain and streamed, with a
// tool that gets called and whose result is fed back. Prints one JSON report.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText, tool, stepCountIs } from "ai";
import { z } from "zod";

const openai = createOpenAI({ baseURL: `${process.env.AIRELAY_URL}/v1`, apiKey: "unused" });
const calls = [];
const tools = {
  get_weather: tool({
    description: "Return the weather of a city.",
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return "22 degrees and sunny";
    },
  }),
};
const prompt = "Use get_weather for Paris";
const report = {};

for (const [name, model] of [
  ["chat", openai.chat("gpt-5.4-mini")],
  ["responses", openai.responses("gpt-5.4-pro")],
]) {
  calls.length = 0;
  const generated = await generateText({ model, tools, prompt, stopWhen: stepCountIs(3) });
  report[`${name}.generateText`] = { text: generated.text, calls: [...calls] };
  calls.length = 0;
  const streamed = streamText({ model, tools, prompt, stopWhen: stepCountIs(3) });
  let text = "";
  for await (const delta of streamed.textStream) text += delta;
  report[`${name}.streamText`] = { text, calls: [...calls] };
}

console.log(JSON.stringify(report));
