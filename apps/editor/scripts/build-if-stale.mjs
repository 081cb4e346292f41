// Builds the editor (app, library and custom element) when apps/editor/dist is missing or older than
// its sources or @waymark/nodes', so `pnpm start` and `pnpm test` serve the current editor without
// paying for a build when nothing changed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const editor = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['dist/index.html', 'dist/lib/waymark-editor.js', 'dist/embed/waymark-journey-editor.js'].map((p) =>
  join(editor, p),
);
const inputs = [
  'src',
  'index.html',
  'vite.config.ts',
  'package.json',
  '../../packages/nodes/src',
  '../../packages/nodes/package.json',
].map((p) => join(editor, p));

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const built = outputs.every((p) => existsSync(p)) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0;
const changed = Math.max(...inputs.map(newest));
if (built === 0 || changed > built) {
  process.stdout.write(built === 0 ? 'Building the editor…\n' : 'The editor changed; rebuilding it…\n');
  execFileSync('pnpm', ['run', 'build'], { cwd: editor, stdio: ['ignore', 'inherit', 'inherit'] });
}
