/** The environment, parsed once at boot. A bad value stops start-up naming the variable. */
import { z } from 'zod';
import { parseAllowedHosts } from '../core/common/hosts.ts';
import type { VendorApp } from '../core/deps.ts';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v.trim(), 'base64').length === 32, 'must be base64 of exactly 32 random bytes (openssl rand -base64 32)');

/** A comma-separated list of host, host:port or *.domain (core/common/hosts.ts), checked entry by entry. */
const allowedHosts = z
  .string()
  .default('')
  .transform((list, ctx) => {
    try {
      return parseAllowedHosts(list);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${(err as Error).message} (a comma-separated list of host, host:port or *.domain)` });
      return z.NEVER;
    }
  });

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** The address to listen on: loopback on a laptop; 0.0.0.0 (or ::) in a container. */
    HOST: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z
        .string()
        .regex(/^([0-9A-Fa-f:.]+|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/, 'must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0')
        .default('127.0.0.1'),
    ),
    PUBLIC_BASE_URL: optional(z.string().url('must be an absolute URL such as https://chase.example.com')),
    DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
    REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL')),
    CHASELINE_ENCRYPTION_KEY: optional(base64Key),
    CHASELINE_PREVIOUS_ENCRYPTION_KEYS: optional(z.string()),
    CHASELINE_ADMIN_KEY: optional(z.string().min(24, 'must be at least 24 characters')),
    CHASELINE_DEFAULT_REGION: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CN or US')
      .default('CN'),
    CHASELINE_DATA_DIR: z.string().default('.data'),
    CHASELINE_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5439),
    CHASELINE_MAX_UPLOAD_MB: z.coerce.number().positive().default(50),
    // The built-in carrier simulator (no Twilio credentials): its port (unset: PORT + 1) and its clock's speed.
    CHASELINE_SIMULATOR_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
    CHASELINE_SIMULATOR_SPEED: z.coerce.number().positive('must be more than 0 (1 is real time)').max(1000).default(1),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Unset: pretty on a terminal, JSON otherwise (api/runtime/log.ts).
    LOG_FORMAT: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['json', 'pretty'], 'must be json or pretty').optional()),
    TWILIO_ACCOUNT_SID: optional(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits')),
    TWILIO_AUTH_TOKEN: optional(z.string()),
    TWILIO_API_BASE_URL: optional(z.string().url()),
    GOOGLE_APPLICATION_CREDENTIALS: optional(z.string().describe('a Google service-account key file: prompts are synthesised with Google Text-to-Speech')),
    GOOGLE_TTS_API_BASE_URL: optional(z.string().url()),
    /** Hosts besides the vendors' own that a tenant's connector URLs may name: `127.0.0.1`, `sandbox.example.com:8443`, `*.example.com`. */
    CHASELINE_ALLOWED_VENDOR_HOSTS: allowedHosts,
    /** Hosts outbound events may go to besides public https ones: a receiver on the operator's own network (`127.0.0.1:8080`, `hooks.internal`). */
    CHASELINE_ALLOWED_EVENT_HOSTS: allowedHosts,
    CHASELINE_METRICS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters (openssl rand -hex 24)')),
    /** Chaseline's HubSpot app (plugins/hubspot): its OAuth client id and secret; both unset, the HubSpot plugin is off. */
    HUBSPOT_CLIENT_ID: optional(z.string().min(1)),
    HUBSPOT_CLIENT_SECRET: optional(z.string().min(8, 'must be the app’s client secret (Auth tab of the app in HubSpot)')),
    /** A HubSpot-compatible API instead of https://api.hubapi.com (a simulator); its host must be allowed (CHASELINE_ALLOWED_VENDOR_HOSTS). */
    HUBSPOT_API_BASE_URL: optional(z.string().url()),
    /** `simulator` runs the built-in carrier on purpose (required for that in production); `twilio` insists on its credentials. */
    CHASELINE_CARRIER: optional(z.enum(['twilio', 'simulator'], 'must be twilio or simulator')),
    /** The Shopify app (plugins/shopify): its client id and secret from the Partner Dashboard; both, or neither. */
    SHOPIFY_API_KEY: optional(z.string().min(8, "must be the app's client id (Partner Dashboard → the app → Client credentials)")),
    SHOPIFY_API_SECRET: optional(z.string().min(8, "must be the app's client secret")),
    /** A Shopify-compatible endpoint where https://{shop} requests go instead (a local simulator). */
    SHOPIFY_API_BASE_URL: optional(z.string().url()),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.CHASELINE_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHASELINE_ENCRYPTION_KEY'],
        message: 'is required when NODE_ENV=production (a generated key on local disk is for development only)',
      });
    }
    if (env.CHASELINE_CARRIER === 'twilio' && !env.TWILIO_ACCOUNT_SID) {
      ctx.addIssue({ code: 'custom', path: ['TWILIO_ACCOUNT_SID'], message: 'is required with CHASELINE_CARRIER=twilio (and TWILIO_AUTH_TOKEN)' });
    }
    if (Boolean(env.HUBSPOT_CLIENT_ID) !== Boolean(env.HUBSPOT_CLIENT_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.HUBSPOT_CLIENT_ID ? 'HUBSPOT_CLIENT_SECRET' : 'HUBSPOT_CLIENT_ID'],
        message: 'HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET go together',
      });
    }
    if (Boolean(env.TWILIO_ACCOUNT_SID) !== Boolean(env.TWILIO_AUTH_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: ['TWILIO_AUTH_TOKEN'], message: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together' });
    }
    if (Boolean(env.SHOPIFY_API_KEY) !== Boolean(env.SHOPIFY_API_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['SHOPIFY_API_SECRET'], message: 'SHOPIFY_API_KEY and SHOPIFY_API_SECRET go together' });
    }
    for (const [i, key] of (env.CHASELINE_PREVIOUS_ENCRYPTION_KEYS ?? '').split(',').filter(Boolean).entries()) {
      if (Buffer.from(key.trim(), 'base64').length !== 32) {
        ctx.addIssue({ code: 'custom', path: ['CHASELINE_PREVIOUS_ENCRYPTION_KEYS'], message: `key #${i + 1} is not base64 of 32 bytes` });
      }
    }
  });

export type Config = z.infer<typeof envSchema>;

/** The vendor apps this installation is registered as (deps.apps), with their OAuth redirect under PUBLIC_BASE_URL. */
export function vendorApps(config: Config): Record<string, VendorApp> {
  const base = (config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
  return config.HUBSPOT_CLIENT_ID && config.HUBSPOT_CLIENT_SECRET
    ? {
        hubspot: {
          clientId: config.HUBSPOT_CLIENT_ID,
          clientSecret: config.HUBSPOT_CLIENT_SECRET,
          redirectUri: `${base}/plugins/hubspot/oauth/callback`,
          ...(config.HUBSPOT_API_BASE_URL ? { apiBaseUrl: config.HUBSPOT_API_BASE_URL } : {}),
        },
      }
    : {};
}

export class ConfigError extends Error {}

const invalid = (issues: { path: PropertyKey[]; message: string }[]) =>
  new ConfigError(`Invalid configuration:\n${issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`).join('\n')}`);

/**
 * The environment, checked. Processes that place calls (`npm start`, api, worker) need a
 * carrier: in production one that is real, or the simulator asked for by name. The CLI, which
 * places none, passes `{ carrier: false }`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { carrier?: boolean } = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const config = parsed.data;
  if ((options.carrier ?? true) && config.NODE_ENV === 'production' && !config.CHASELINE_CARRIER && !config.TWILIO_ACCOUNT_SID) {
    throw invalid([
      {
        path: ['CHASELINE_CARRIER'],
        message:
          'NODE_ENV=production needs a real carrier: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or CHASELINE_CARRIER=simulator to run the built-in simulator on purpose (nobody is called)',
      },
    ]);
  }
  return config;
}
