import { z } from 'zod';
import { createOfflineClassifier } from '../../core/intents/classifier.ts';
import { intents, type IntentClassifier } from '../../core/intents/intents.ts';
import { defineProcedure } from '../procedure.ts';

// Trained on first use, not at import: processes that never classify (workers, the CLI)
// skip the training cost, and every request after the first reuses the same model.
let classifier: IntentClassifier | undefined;
const offline = () => (classifier ??= createOfflineClassifier());

const IntentResult = z
  .object({
    intent: z.enum(intents),
    confidence: z.number().min(0).max(1).describe('How sure the classifier is, 0..1'),
  })
  .meta({ id: 'IntentResult' });

export const intentsClassify = defineProcedure({
  name: 'intents.classify',
  method: 'post',
  path: '/v1/intents/classify',
  summary: 'Classify what a callee said (a speech transcript in English, Mandarin or Cantonese, or a mix) into a chase intent',
  tag: 'intents',
  role: 'viewer',
  input: z.object({
    text: z.string().min(1).max(2000).describe('The transcript as the speech recogniser wrote it'),
    locale: z.string().max(35).optional().describe('BCP 47 hint such as zh-CN, zh-HK, yue-HK or en-US; the script decides when it disagrees'),
  }),
  output: IntentResult,
  handler: async ({ input }) => ({ body: await offline().classify(input.text, input.locale) }),
});
