/**
 * Writes the OpenAPI document the API serves (`openapi/openapi.json`) from the procedures:
 * `npm run openapi` after changing a procedure's schema. The API reads the file and imports
 * nothing from here, so the two folders do not depend on each other both ways; a test fails
 * while the file is out of date.
 */
import { writeFile } from 'node:fs/promises';
import { procedures } from '../api/procedures/index.ts';
import { buildOpenApi } from './build.ts';

export const DOCUMENT = new URL('./openapi.json', import.meta.url);

/** The document as it is written: stable key order, two-space indent, final newline. */
export const serialise = (): string => `${JSON.stringify(buildOpenApi(procedures), null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(DOCUMENT, serialise());
  console.log(`wrote ${DOCUMENT.pathname}`);
}
