/**
 * Whether a YARN ResourceManager listens at its client address, asked before a job is
 * submitted: the Hadoop client, facing a ResourceManager that is down, retries for 10 s (our
 * cluster's setting) to 15 minutes (Hadoop's) before it says so, in a stack trace. A TCP
 * connection is enough to tell "not there" from "there"; the submission says the rest.
 */
import { connect } from 'node:net';

/** null when something accepts a connection at host:port, else why not (ECONNREFUSED, timeout). */
export function resourceManagerDown(address: string, timeoutMs = 3000): Promise<string | null> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | null) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer in ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
