// Module resolve hook for the card tests: the card's (and its tests') `react` (and `react/jsx-runtime`) is the
// copy @hubspot/ui-extensions renders with. npm installs two copies of react 18.3.1 here (the
// root holds react 19 for the console, so neither can be hoisted), and hooks only work with
// the renderer's own copy; in HubSpot's bundle there is only one.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const uiExtensions = pathToFileURL(require.resolve('@hubspot/ui-extensions', { paths: [new URL('../src/app/cards/', import.meta.url).pathname] })).href;
// The card and its tests (which create the card's elements) alike.
const plugin = new URL('../', import.meta.url).href;

export async function resolve(specifier, context, next) {
  const fromCard = context.parentURL?.startsWith(plugin) && !context.parentURL.includes('/node_modules/');
  if (fromCard && (specifier === 'react' || specifier.startsWith('react/'))) return next(specifier, { ...context, parentURL: uiExtensions });
  return next(specifier, context);
}
