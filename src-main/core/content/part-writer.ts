// A download's bytes onto disk: gathered into batches of about 1 MiB (one disk write per socket chunk, 64 KiB, costs more
// than the transfer on a fast link) written with writev (no copy into one buffer), and flushed to the disk in the
// background every 32 MiB, so the fsync that ends the file waits for the last stretch only, not for all of it.
import type { FileHandle } from 'node:fs/promises';

const WRITE_BATCH_BYTES = 1 << 20;
/** Bytes written between background flushes (fdatasync) to the disk. */
const SYNC_EVERY_BYTES = 32 << 20;

export class PartWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private unsynced = 0;
  private syncing: Promise<void> | undefined;
  private syncFailure: unknown;

  constructor(private readonly file: FileHandle) {}

  /** Queues a chunk (the writer keeps it: a socket's chunk is never written over); writes when a batch is full. */
  async add(chunk: Buffer): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= WRITE_BATCH_BYTES) await this.flush();
  }

  /** Writes what is queued. */
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const batch = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    await this.file.writev(batch);
    this.unsynced += bytes;
    if (this.unsynced >= SYNC_EVERY_BYTES && !this.syncing) {
      this.unsynced = 0;
      // Not awaited: the disk takes these bytes while the next ones arrive. A failure is reported by `sync`.
      this.syncing = this.file.datasync().catch((error: unknown) => { this.syncFailure ??= error; }).finally(() => { this.syncing = undefined; });
    }
  }

  /** Everything written and on the disk (fsync). */
  async sync(): Promise<void> {
    await this.flush();
    await this.settle();
    if (this.syncFailure !== undefined) throw this.syncFailure as Error;
    await this.file.sync();
  }

  /** Waits for a background flush still running (before the file is closed). */
  async settle(): Promise<void> {
    await this.syncing;
  }
}
