/**
 * The default tenant's admin key, as a person at the terminal sees it. It is printed the moment
 * the transaction that stored its hash commits — before anything else at start-up can fail — so
 * a first start that dies later (a port taken, a simulator that cannot start) has still shown
 * it. It goes to stderr, never to the log: logs are shipped and kept, a key must not be.
 */
export function announceAdminKey(key: string, out: NodeJS.WritableStream = process.stderr): void {
  out.write(
    `\n  Admin API key of the default tenant (shown only this once; set CHASELINE_ADMIN_KEY to choose your own):\n\n    ${key}\n\n` +
      `  Lost it? \`npm run chaseline -- admin-key --reset\` revokes it and prints a new one.\n\n`,
  );
}
