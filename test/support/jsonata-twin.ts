/** The JSONata twin of the classification workflow (a test fixture), as its template text. */
import { readFileSync } from 'node:fs';

export const JSONATA_TWIN = readFileSync(
  new URL('../fixtures/statemachine/image-classification.jsonata.asl.json', import.meta.url),
  'utf8',
);
