/** `npm run docs`: writes the generated documentation. */
import { writeFileSync } from 'node:fs';
import { renderConfigDoc, renderErrorsDoc } from './render.js';

const root = new URL('../../../', import.meta.url);
writeFileSync(new URL('docs/errors.md', root), renderErrorsDoc());
writeFileSync(new URL('docs/configuration.md', root), renderConfigDoc());
process.stdout.write('wrote docs/errors.md, docs/configuration.md\n');
