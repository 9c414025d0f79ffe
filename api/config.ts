/** The environment, parsed once at boot. A bad value stops start-up naming the variable. */
import { z } from 'zod';

const optional = (schema: z.ZodString) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v.trim(), 'base64').length === 32, 'must be base64 of exactly 32 random bytes (openssl rand -base64 32)');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: optional(z.string().url('must be an absolute URL such as https://chase.example.com')),
    DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
    REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL')),
    CHASELINE_ENCRYPTION_KEY: optional(base64Key),
    CHASELINE_PREVIOUS_ENCRYPTION_KEYS: optional(z.string()),
    CHASELINE_ADMIN_KEY: optional(z.string().min(24, 'must be at least 24 characters')),
    CHASELINE_DEFAULT_REGION: z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CN or US').default('CN'),
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
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.CHASELINE_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHASELINE_ENCRYPTION_KEY'],
        message: 'is required when NODE_ENV=production (a generated key on local disk is for development only)',
      });
    }
    if (Boolean(env.TWILIO_ACCOUNT_SID) !== Boolean(env.TWILIO_AUTH_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: ['TWILIO_AUTH_TOKEN'], message: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together' });
    }
    for (const [i, key] of (env.CHASELINE_PREVIOUS_ENCRYPTION_KEYS ?? '').split(',').filter(Boolean).entries()) {
      if (Buffer.from(key.trim(), 'base64').length !== 32) {
        ctx.addIssue({ code: 'custom', path: ['CHASELINE_PREVIOUS_ENCRYPTION_KEYS'], message: `key #${i + 1} is not base64 of 32 bytes` });
      }
    }
  });

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
