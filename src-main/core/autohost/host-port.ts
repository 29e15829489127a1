// The UDP port a hosted battle's spring-dedicated is told to bind, picked by the OS.
import dgram from 'node:dgram';

const ATTEMPTS = 20;

/**
 * A port at or above 1024 that none of `taken` uses: bind port 0, read it, close. The engine binds it only later, so
 * another process may take it in between (check then use); the engine then fails to start and `start` says why.
 * The probe socket is closed on every path, a failed bind included.
 */
export async function pickHostPort(bindIp: string, taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const socket = dgram.createSocket('udp4');
    let port: number;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, bindIp, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      port = socket.address().port;
    } finally {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
    if (!taken.has(port) && port >= 1024) return port;
  }
  throw new Error('no free UDP port for the battle');
}
