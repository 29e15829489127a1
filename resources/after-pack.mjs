// electron-builder afterPack hook: 7zip-bin's npm tarball stores the Linux `7za` without its exec bit, and the packaged
// app cannot fix that at run time (an AppImage is a read-only mount, a deb's files belong to root): set it here.
import { chmod, readdir } from 'node:fs/promises';
import path from 'node:path';

export default async function afterPack(context) {
  const linux = path.join(context.appOutDir, 'resources', 'app.asar.unpacked', 'node_modules', '7zip-bin', 'linux');
  const arches = await readdir(linux).catch(() => []);
  for (const arch of arches) await chmod(path.join(linux, arch, '7za'), 0o755).catch(() => undefined);
}
