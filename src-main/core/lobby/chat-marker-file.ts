// Persists the last chat history marker in the data dir, so after a restart the client resubscribes from it and loses no message.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../files/private-file';
import { TEXT_CAPS } from './caps';

/** Markers arrive with every chat line (hundreds at once after a reconnect): the file is written at most this often. */
const WRITE_DELAY_MS = 1_000;

export class ChatMarkerFile {
  private readonly path: string;
  private current: string | null;
  private written: string | null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, serverKey: string, private readonly onError: (error: unknown) => void = () => undefined) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // One marker per server: markers mean nothing to another server.
    this.path = join(dataDir, `chat-marker-${serverKey.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 100)}.json`);
    this.current = this.read();
    this.written = this.current;
  }

  get marker(): string | null {
    return this.current;
  }

  /** Remembers the marker at once and writes it a moment later, off the hot path. A marker too long to send back is ignored. */
  save(marker: string): void {
    if (marker === this.current || marker.length === 0 || marker.length > TEXT_CAPS.marker) return;
    this.current = marker;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.write();
    }, WRITE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes what is pending now (on close: the last marker must survive a quit). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.write();
  }

  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const marker = this.current;
      if (marker === null || marker === this.written) return;
      try {
        await writePrivateFile(this.path, JSON.stringify({ marker }));
        this.written = marker;
      } catch (error) {
        this.onError(error);
      }
    });
    return this.writing;
  }

  private read(): string | null {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { marker?: unknown };
      return typeof parsed.marker === 'string' && parsed.marker.length > 0 && parsed.marker.length <= TEXT_CAPS.marker ? parsed.marker : null;
    } catch {
      return null;
    }
  }
}
