// Builds the CivicFlow front end into src/civicflow/web/static/civicflow/ (gitignored output;
// `make serve` and `make test` run `npm ci` and this script whenever package.json is newer).
// Everything comes from node_modules as locked in package-lock.json: no network, no bundler.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..', '..')
const modules = join(root, 'node_modules')
const out = join(here, '..', 'static', 'civicflow')

rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'bpmn-js'), { recursive: true })

// GOV.UK Frontend compiled from its Sass sources: only that way can the typeface be replaced.
const css = sass.compile(join(here, 'civicflow.scss'), {
  style: 'compressed',
  importers: [new sass.NodePackageImporter(root)],
  // govuk-frontend still uses Sass features that newer Sass deprecates; its warnings are not ours
  quietDeps: true,
  silenceDeprecations: ['import']
})
writeFileSync(join(out, 'civicflow.css'), css.css)

const copy = (from, to) => cpSync(join(modules, from), join(out, to), { recursive: true })
copy('govuk-frontend/dist/govuk/govuk-frontend.min.js', 'govuk-frontend.min.js')
copy('bpmn-js/dist/bpmn-viewer.production.min.js', 'bpmn-js/bpmn-viewer.production.min.js')
copy('bpmn-js/dist/assets/diagram-js.css', 'bpmn-js/diagram-js.css')
copy('bpmn-js/dist/assets/bpmn-js.css', 'bpmn-js/bpmn-js.css')
copy('bpmn-js/dist/assets/bpmn-font', 'bpmn-js/bpmn-font')
// Our own scripts are external files so the Content-Security-Policy needs no 'unsafe-inline'.
copy('../src/civicflow/web/assets/js-enabled.js', 'js-enabled.js')
copy('../src/civicflow/web/assets/init.mjs', 'init.mjs')
console.log(`built ${out}`)
