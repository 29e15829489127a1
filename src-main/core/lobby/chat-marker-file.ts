// Persists the last chat history marker in the data dir, so after a restart the client resubscribes from it and loses no message.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class ChatMarkerFile {
  private readonly path: string;
  private current: string | null;

  constructor(dataDir: string, serverKey: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // One marker per server: markers mean nothing to another server.
    this.path = join(dataDir, `chat-marker-${serverKey.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 100)}.json`);
    this.current = this.read();
  }

  get marker(): string | null {
    return this.current;
  }

  save(marker: string): void {
    if (marker === this.current) return;
    this.current = marker;
    // Write then rename, so a crash mid-write never leaves a torn file.
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ marker }), { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  private read(): string | null {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { marker?: unknown };
      return typeof parsed.marker === 'string' && parsed.marker.length > 0 && parsed.marker.length < 1024 ? parsed.marker : null;
    } catch {
      return null;
    }
  }
}
