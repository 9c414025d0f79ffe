/**
 * The one registry of connectors: id → credentials schema and factory. Adding a vendor is
 * one folder plus one line here; core never switches on a vendor name.
 */
import type { z } from 'zod';
import { createTwilioConnector } from './twilio/index.ts';
import { twilioCredentials } from './twilio/schemas.ts';
import { createGoogleTtsConnector } from './google-tts/index.ts';
import { googleTtsCredentials } from './google-tts/schemas.ts';

export const connectorIds = ['twilio', 'google-tts'] as const;
export type ConnectorId = (typeof connectorIds)[number];

interface ConnectorEntry {
  credentials: z.ZodType;
  // The factory checks its own credentials with the schema before anything else.
  create: (credentials: never) => unknown;
}

export const connectors = {
  twilio: { credentials: twilioCredentials, create: createTwilioConnector },
  'google-tts': { credentials: googleTtsCredentials, create: createGoogleTtsConnector },
} satisfies Record<ConnectorId, ConnectorEntry>;
