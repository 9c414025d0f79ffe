/**
 * The calls of bench/twiml.bench.ts, in their own process: every call at once asks for its
 * TwiML, then answers each <Gather> by posting to its action URL, signed as Twilio signs,
 * after a pause for the prompt and the answer.
 * Reports each request's latency (ms) to the parent.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import twilio from 'twilio';

interface Start {
  url: string;
  authToken: string;
  accountSid: string;
  attempts: string[];
  /** Calls start spread over this many ms, as a dialer places them. */
  rampMs: number;
  /** Between two requests of a call: the prompt being spoken and the person answering. */
  thinkMs: [number, number];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([min, max]: [number, number]) => min + Math.random() * (max - min);

const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
const ANSWERS = ['how much is it', 'ok sure, send it'];

async function post(start: Start, url: string, params: Record<string, string>): Promise<{ ms: number; twiml: string }> {
  const signature = twilio.getExpectedTwilioSignature(start.authToken, url, params);
  const body = new URLSearchParams(params).toString();
  const t0 = performance.now();
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': signature },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  const ms = performance.now() - t0;
  if (status !== 200) throw new Error(`HTTP ${status}`);
  return { ms, twiml: text };
}

const actionOf = (twiml: string) => twiml.match(/<Gather[^>]* action="([^"]+)"/)?.[1]?.replaceAll('&amp;', '&');

process.once('message', async (start: Start) => {
  const voice: number[] = [];
  const gather: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    start.attempts.map(async (attempt) => {
      const base = {
        AccountSid: start.accountSid,
        CallSid: `CA${randomBytes(16).toString('hex')}`,
        CallStatus: 'in-progress',
        Direction: 'outbound-api',
        From: '+14155550100',
        To: '+8613900000000',
      };
      try {
        await sleep(Math.random() * start.rampMs);
        const first = await post(start, `${start.url}/webhooks/twilio/voice?attempt=${attempt}`, base);
        voice.push(first.ms);
        let action = actionOf(first.twiml);
        for (const answer of ANSWERS) {
          if (!action) break;
          await sleep(between(start.thinkMs));
          const next = await post(start, action, { ...base, SpeechResult: answer, Confidence: '0.92' });
          gather.push(next.ms);
          action = actionOf(next.twiml);
        }
      } catch {
        errors++;
      }
    }),
  );
  process.send!({ voice, gather, errors, wallMs: performance.now() - t0 });
});
