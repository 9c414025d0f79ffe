/** The size limits of JSON requests, the same for REST and tRPC. */

/** The largest JSON body accepted (1 MiB): larger is 413, refused by Content-Length before reading. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** The most procedures one batched tRPC request may call. */
export const TRPC_MAX_BATCH = 20;
